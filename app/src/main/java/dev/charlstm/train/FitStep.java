package dev.charlstm.train;

/**
 * One training iteration as an engine runs it: draws the iteration's chunks, computes the
 * gradient and takes the optimiser step. Opened by {@link TrainingEngine#open}.
 */
interface FitStep extends AutoCloseable {

    /** Fits the chunks of {@code iteration}; returns the mean per-character loss, in nats. */
    double fit(long iteration);

    /** Frees what the engine holds off the heap. */
    @Override
    void close();
}
