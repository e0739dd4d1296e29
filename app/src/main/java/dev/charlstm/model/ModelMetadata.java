package dev.charlstm.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Everything a model file says about itself besides its weights: what it reads and writes, how it
 * was built and how well it did. Stored as {@code charlstm/metadata.json} inside {@code model.zip}.
 *
 * @param format        always {@link #FORMAT}
 * @param formatVersion version of this layout; loaders refuse newer ones
 * @param vocabulary    the model's characters in index order
 * @param normalization rules version of the text normaliser the corpus went through
 * @param hyperparameters the full training configuration
 * @param training      provenance and results of the training run
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelMetadata(
        @JsonProperty("format") String format,
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("vocabulary") String vocabulary,
        @JsonProperty("normalization") Normalization normalization,
        @JsonProperty("hyperparameters") Map<String, Object> hyperparameters,
        @JsonProperty("training") Training training) {

    public static final String FORMAT = "charlstm-model";
    public static final int FORMAT_VERSION = 1;

    /** How text must be folded before it meets this model. */
    public record Normalization(
            @JsonProperty("rules_version") int rulesVersion,
            @JsonProperty("description") String description) {}

    /** Where the model came from and how it scored. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Training(
            @JsonProperty("corpus_sha256") String corpusSha256,
            @JsonProperty("corpus_chars") int corpusChars,
            @JsonProperty("corpus_source") String corpusSource,
            @JsonProperty("iterations") long iterations,
            @JsonProperty("val_loss_nats") Double valLossNats,
            @JsonProperty("val_bpc") Double valBpc,
            @JsonProperty("trained_at") String trainedAt,
            @JsonProperty("backend") String backend,
            @JsonProperty("project_version") String projectVersion,
            @JsonProperty("test_loss_nats") Double testLossNats,
            @JsonProperty("plan") Map<String, Object> plan) {}
}
