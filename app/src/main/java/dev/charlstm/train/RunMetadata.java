package dev.charlstm.train;

import static dev.charlstm.train.Decimals.round4;

import dev.charlstm.corpus.Corpus;
import dev.charlstm.format.ModelMetadata;
import dev.charlstm.model.Backend;
import dev.charlstm.model.LossEvaluator;
import dev.charlstm.text.TextNormalizer;
import java.time.Instant;
import java.util.Map;

/** The metadata every model file and checkpoint of a run carries: vocabulary, normalisation, configuration, training. */
final class RunMetadata {

    private final TrainConfig config;
    private final Corpus corpus;
    private final String corpusSource;
    private final Map<String, Object> plan;

    /**
     * @param corpusSource where the text came from ({@code source:url})
     * @param plan         what the planner measured and chose, or null for none
     */
    RunMetadata(TrainConfig config, Corpus corpus, String corpusSource, Map<String, Object> plan) {
        this.config = config;
        this.corpus = corpus;
        this.corpusSource = corpusSource;
        this.plan = plan;
    }

    /**
     * @param valLoss  the weights' validation loss, NaN when they have none
     * @param testLoss their test loss, or null (checkpoints, or no test text)
     */
    ModelMetadata describe(TrainingState state, double valLoss, Double testLoss) {
        return new ModelMetadata(ModelMetadata.FORMAT, ModelMetadata.FORMAT_VERSION, corpus.vocabulary().chars(),
                new ModelMetadata.Normalization(TextNormalizer.RULES_VERSION,
                        "NFKC; accents removed; typographic quotes and dashes to ASCII; characters outside the "
                                + "vocabulary dropped; runs of spaces collapsed"),
                config.asMap(),
                new ModelMetadata.Training(corpus.sha256(), corpus.length(), corpusSource, state.iteration,
                        Double.isFinite(valLoss) ? round4(valLoss) : null,
                        Double.isFinite(valLoss) ? round4(LossEvaluator.bitsPerChar(valLoss)) : null,
                        Instant.now().toString(), Backend.name(), TrainingOutput.projectVersion(),
                        testLoss != null && Double.isFinite(testLoss) ? testLoss : null, plan));
    }

    /** For a checkpoint: no test loss. */
    ModelMetadata describe(TrainingState state, double valLoss) {
        return describe(state, valLoss, null);
    }
}
