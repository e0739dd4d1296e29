package dev.charlstm.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mean cross-entropy of a network over a whole text, in nats per character.
 *
 * <p>The text is cut into {@code streams} contiguous rows that are read in order, segment by
 * segment, carrying the LSTM state across segments, so every character after the first of each
 * row is predicted with all of its row's context. This is the same protocol as the PyTorch
 * reference trainer, so the figures compare directly.
 *
 * <pre>{@code
 * double nats = LossEvaluator.nats(net, validationIds, 32, 50);
 * double bpc = LossEvaluator.bitsPerChar(nats);
 * }</pre>
 */
public final class LossEvaluator {

    private LossEvaluator() {}

    /**
     * @param ids     the text as vocabulary indices
     * @param streams rows evaluated side by side (reduced for short texts)
     * @param segment characters per forward call
     * @throws IllegalArgumentException when the text has fewer than two characters
     */
    public static double nats(MultiLayerNetwork net, int[] ids, int streams, int segment) {
        if (ids.length < 2) {
            throw new IllegalArgumentException("need at least 2 characters to measure a loss, got " + ids.length);
        }
        int rows = Math.max(1, Math.min(streams, (ids.length - 1) / 2));
        int cols = (ids.length - 1) / rows;
        int vocabulary = (int) net.layerSize(net.getnLayers() - 1);
        double total = 0;
        long count = 0;
        net.rnnClearPreviousState();
        try {
            for (int start = 0; start < cols; start += segment) {
                int len = Math.min(segment, cols - start);
                float[] x = new float[rows * len];
                for (int r = 0; r < rows; r++) {
                    for (int t = 0; t < len; t++) {
                        x[r * len + t] = ids[r * cols + start + t];
                    }
                }
                INDArray probs = net.rnnTimeStep(Nd4j.create(x, new long[] {rows, 1, len}, 'c'));
                float[] p = probs.dup('c').data().asFloat();
                for (int r = 0; r < rows; r++) {
                    for (int t = 0; t < len; t++) {
                        int target = ids[r * cols + start + t + 1];
                        total -= Math.log(Math.max(p[(r * vocabulary + target) * len + t], 1e-30f));
                        count++;
                    }
                }
            }
        } finally {
            net.rnnClearPreviousState();
        }
        return total / count;
    }

    public static double bitsPerChar(double nats) {
        return nats / Math.log(2);
    }
}
