package dev.charlstm.train;

/**
 * The loss and gradient of one truncated-BPTT segment of a network, computed from the recurrent
 * state the previous segment of the same chunks left behind: the true truncated gradient, which
 * DL4J 1.0.0-M2.1's own LSTM layer does not compute (its backward pass re-runs the layer from a
 * zero state; see {@code docs/how-it-works.md}).
 *
 * <p>Implementations write the gradient, summed over the batch rows, into the network's own
 * flattened gradient vector, so DL4J's updater can take the step. Not thread-safe.
 */
interface SegmentGradient extends AutoCloseable {

    /** Forgets the carried state, as at the start of each batch of chunks. */
    void resetState();

    /**
     * Runs one segment forward and backward from the carried state, then carries the state on.
     *
     * @param inputs  character ids, [batch][steps]
     * @param targets the next characters, [batch][steps]
     * @param steps   the segment length, at most the truncated-BPTT length
     * @param seed    dropout masks derive from it and the batch row ({@link DropoutMasks})
     * @return the summed loss divided by the sequence length and the batch size (DL4J's score)
     */
    double compute(int[][] inputs, int[][] targets, int steps, long seed);

    @Override
    void close();
}
