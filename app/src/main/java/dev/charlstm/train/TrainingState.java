package dev.charlstm.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the trainer must remember to continue a run exactly: stored in every checkpoint.
 *
 * <p>Random chunks and dropout masks are derived from (seed, iteration), so the iteration count
 * is the whole random-number state; the weights and Adam's moments live in the DL4J part of the
 * checkpoint.
 */
final class TrainingState {

    /** One validation: where, when and how well. */
    record Evaluation(@JsonProperty("iteration") long iteration,
                      @JsonProperty("seconds") double seconds,
                      @JsonProperty("train_loss") double trainLoss,
                      @JsonProperty("val_loss") double valLoss) {}

    /** Mean training loss of one iteration, in nats per character. */
    record Point(@JsonProperty("iteration") long iteration, @JsonProperty("loss") double loss) {}

    @JsonProperty("iteration") long iteration;
    @JsonProperty("best_val_loss") Double bestValLoss;
    @JsonProperty("best_iteration") long bestIteration;
    @JsonProperty("evals_since_best") int evalsSinceBest;
    @JsonProperty("train_seconds") double trainSeconds;
    @JsonProperty("wall_seconds") double wallSeconds;
    @JsonProperty("trained_chars") long trainedChars;
    @JsonProperty("evaluations") List<Evaluation> evaluations = new ArrayList<>();
    @JsonProperty("train_curve") List<Point> trainCurve = new ArrayList<>();

    /**
     * Jackson's defaults, not {@code io.Json}'s strict scalars: checkpoints written before the
     * strict configuration existed must keep resuming exactly as they did.
     */
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The form stored in checkpoints. */
    byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    /** Reads the form {@link #toJson()} writes. */
    static TrainingState fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, TrainingState.class);
    }

    /**
     * Counts one finished iteration: its characters, its loss on the training curve, and the wall
     * time so far.
     */
    void recordIteration(double loss, long chars, double wallSecondsNow) {
        iteration++;
        trainedChars += chars;
        trainCurve.add(new Point(iteration, Decimals.round4(loss)));
        wallSeconds = wallSecondsNow;
    }

    /** The loss of the last iteration, NaN before the first. */
    double lastTrainLoss() {
        return trainCurve.isEmpty() ? Double.NaN : trainCurve.get(trainCurve.size() - 1).loss();
    }

    /** Training characters per second of fitting (validations, checkpoints and samples not counted). */
    double trainCharsPerSecond() {
        return trainSeconds > 0 ? trainedChars / trainSeconds : 0;
    }

    /** The last validation, or null before the first. */
    Evaluation lastEvaluation() {
        return evaluations.isEmpty() ? null : evaluations.get(evaluations.size() - 1);
    }
}
