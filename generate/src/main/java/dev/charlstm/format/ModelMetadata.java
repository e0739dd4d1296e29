package dev.charlstm.format;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a model file says about itself besides its weights: what it reads and writes, how it
 * was built and how well it did. Stored as {@code charlstm/metadata.json} inside {@code model.zip}
 * (docs/model-format.md).
 *
 * <pre>{@code
 * byte[] json = metadata.toJson();
 * ModelMetadata back = ModelMetadata.parse(json);
 * }</pre>
 *
 * @param format        always {@link #FORMAT}
 * @param formatVersion version of the layout; loaders refuse newer ones
 * @param vocabulary    the model's characters in index order
 * @param normalization rules version of the text normaliser the corpus went through
 * @param hyperparameters the full training configuration
 * @param training      provenance and results of the training run
 */
public record ModelMetadata(
        String format,
        int formatVersion,
        String vocabulary,
        Normalization normalization,
        Map<String, Object> hyperparameters,
        Training training) {

    /** Where the metadata sits inside {@code model.zip}. */
    public static final String ENTRY = "charlstm/metadata.json";
    public static final String FORMAT = "charlstm-model";
    /**
     * 2: the zip also holds the plain weights ({@link PlainWeights}), which the library reads.
     * 1: DL4J's entries and the metadata only; {@code charlstm upgrade-model} adds the plain weights.
     */
    public static final int FORMAT_VERSION = 2;
    /** The first version with the plain weights. */
    public static final int FIRST_PLAIN_WEIGHTS_VERSION = 2;

    private static final JSON WRITER = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

    /** How text must be folded before it meets this model. */
    public record Normalization(int rulesVersion, String description) {}

    /** Where the model came from and how it scored. Any field may be null. */
    public record Training(
            String corpusSha256,
            int corpusChars,
            String corpusSource,
            long iterations,
            Double valLossNats,
            Double valBpc,
            String trainedAt,
            String backend,
            String projectVersion,
            Double testLossNats,
            Map<String, Object> plan) {}

    /**
     * What makes this metadata unusable to a reader of this version, or null: another format, a
     * newer format version, no version, no vocabulary.
     */
    public static String problemWith(ModelMetadata m) {
        if (!FORMAT.equals(m.format())) {
            if (m.format() == null) {
                return "metadata has no format; expected '" + FORMAT + "'";
            }
            // Quoted as a message quotes it, so a line break in it cannot break the message's one line.
            String got = JsonFields.quoted(m.format());
            return "format is '" + got.substring(1, got.length() - 1) + "', expected '" + FORMAT + "'";
        }
        if (m.formatVersion() > FORMAT_VERSION) {
            return "was written in format version " + m.formatVersion() + " by a newer charlstm; this version reads up to "
                    + FORMAT_VERSION;
        }
        if (m.formatVersion() < 1 || m.vocabulary() == null || m.vocabulary().isEmpty()) {
            return "metadata lacks a format version or a vocabulary";
        }
        return null;
    }

    /** The same metadata at another format version (what {@code upgrade-model} writes). */
    public ModelMetadata withFormatVersion(int version) {
        return new ModelMetadata(format, version, vocabulary, normalization, hyperparameters, training);
    }

    /** The JSON of {@code charlstm/metadata.json}, indented; absent fields are left out. */
    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "format", format);
        m.put("format_version", formatVersion);
        put(m, "vocabulary", vocabulary);
        if (normalization != null) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("rules_version", normalization.rulesVersion());
            put(n, "description", normalization.description());
            m.put("normalization", n);
        }
        put(m, "hyperparameters", hyperparameters);
        if (training != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            put(t, "corpus_sha256", training.corpusSha256());
            t.put("corpus_chars", training.corpusChars());
            put(t, "corpus_source", training.corpusSource());
            t.put("iterations", training.iterations());
            put(t, "val_loss_nats", training.valLossNats());
            put(t, "val_bpc", training.valBpc());
            put(t, "trained_at", training.trainedAt());
            put(t, "backend", training.backend());
            put(t, "project_version", training.projectVersion());
            put(t, "test_loss_nats", training.testLossNats());
            put(t, "plan", training.plan());
            m.put("training", t);
        }
        try {
            return WRITER.asBytes(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads {@code charlstm/metadata.json}. Fields this version does not know are ignored, so an
     * older reader can read a newer writer's additions within the same format version.
     *
     * @throws IllegalArgumentException saying what is not metadata about it
     */
    public static ModelMetadata parse(byte[] json) {
        Map<String, Object> m = JsonFields.object(json, "metadata");
        Map<String, Object> n = JsonFields.objectOrNull(m, "normalization");
        Map<String, Object> t = JsonFields.objectOrNull(m, "training");
        return new ModelMetadata(
                JsonFields.string(m, "format"),
                JsonFields.intValue(m, "format_version", 0),
                JsonFields.string(m, "vocabulary"),
                n == null ? null : new Normalization(JsonFields.intValue(n, "rules_version", 0),
                        JsonFields.string(n, "description")),
                JsonFields.objectOrNull(m, "hyperparameters"),
                t == null ? null : new Training(
                        JsonFields.string(t, "corpus_sha256"),
                        JsonFields.intValue(t, "corpus_chars", 0),
                        JsonFields.string(t, "corpus_source"),
                        JsonFields.longValue(t, "iterations", 0),
                        JsonFields.doubleOrNull(t, "val_loss_nats"),
                        JsonFields.doubleOrNull(t, "val_bpc"),
                        JsonFields.string(t, "trained_at"),
                        JsonFields.string(t, "backend"),
                        JsonFields.string(t, "project_version"),
                        JsonFields.doubleOrNull(t, "test_loss_nats"),
                        JsonFields.objectOrNull(t, "plan")));
    }

    /** Puts a value that is there: null, NaN and infinities are left out (JSON has no number for them). */
    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null && !(value instanceof Double d && !Double.isFinite(d))) {
            m.put(key, value);
        }
    }
}
