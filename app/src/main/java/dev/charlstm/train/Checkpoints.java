package dev.charlstm.train;

import dev.charlstm.format.ModelMetadata;
import java.io.IOException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Writes {@code latest.zip}, after {@code best.zip} when a better model has been seen since the
 * last write. Throttled to one per {@code checkpoint_seconds} at validations, because a large
 * network's two zips can cost more than the validation itself; a run always checkpoints when it
 * stops.
 */
final class Checkpoints {

    private final TrainingOutput output;
    private final BestWeights best;
    private final long minNanos;
    private long writtenAt = System.nanoTime();
    private long writtenIteration = -1;

    Checkpoints(TrainConfig config, TrainingOutput output, BestWeights best) {
        this.output = output;
        this.best = best;
        this.minNanos = config.checkpointSeconds() * 1_000_000_000L;
    }

    /** Whether a checkpoint is due: forced (the run is ending), or {@code checkpoint_seconds} have passed. */
    boolean due(boolean force) {
        return force || minNanos == 0 || System.nanoTime() - writtenAt >= minNanos;
    }

    /** Writes the checkpoint of {@code net} at the state's iteration. */
    void write(MultiLayerNetwork net, ModelMetadata metadata, TrainingState state) throws IOException {
        // best.zip first: a kill between the two writes then leaves a best.zip at least as new as
        // the best that latest.zip's state names, never an older one.
        best.writeUnsaved();
        output.saveCheckpoint(output.latestCheckpoint(), net, metadata, state);
        writtenAt = System.nanoTime();
        writtenIteration = state.iteration;
    }

    /** The iteration of the last checkpoint this run wrote, or -1 before the first. */
    long lastIteration() {
        return writtenIteration;
    }
}
