package dev.charlstm.train;

import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J's own score and gradient of truncated-BPTT segments, the way its {@code fit} computes them. */
final class Dl4jSegments {

    private Dl4jSegments() {}

    /** Features [batch, 1, steps] of character ids and one-hot labels [batch, vocabulary, steps]. */
    static INDArray[] dataSet(int[][] inputs, int[][] targets, int vocabulary) {
        int rows = inputs.length;
        int steps = inputs[0].length;
        float[] x = new float[rows * steps];
        float[] y = new float[rows * vocabulary * steps];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < steps; t++) {
                x[b * steps + t] = inputs[b][t];
                y[(b * vocabulary + targets[b][t]) * steps + t] = 1f;
            }
        }
        return new INDArray[] {Nd4j.create(x, new long[] {rows, 1, steps}, 'c'),
                Nd4j.create(y, new long[] {rows, vocabulary, steps}, 'c')};
    }

    /** DL4J's score of one segment from a zero state. */
    static double score(MultiLayerNetwork net, int[][] inputs, int[][] targets, int vocabulary) {
        MultiLayerNetwork m = net.clone();
        INDArray[] data = dataSet(inputs, targets, vocabulary);
        m.setInput(data[0]);
        m.setLabels(data[1]);
        m.computeGradientAndScore();
        return m.score();
    }

    /**
     * DL4J's gradient of the second segment (summed over the batch, as the engines give it): the
     * first segment's forward pass leaves the truncated-BPTT state in every LSTM layer, as
     * {@code doTruncatedBPTT} does, and the second segment's gradient is computed from it.
     */
    static float[] secondSegmentGradient(MultiLayerNetwork net, int[][] firstInputs, int[][] inputs, int[][] targets,
                                         int vocabulary) {
        MultiLayerNetwork m = net.clone();
        m.rnnClearPreviousState();
        INDArray[] first = dataSet(firstInputs, firstInputs, vocabulary);
        m.rnnTimeStep(first[0]);
        var carried = new java.util.ArrayList<java.util.Map<String, INDArray>>();
        for (int l = 1; l < m.getnLayers() - 1; l++) {
            var state = new java.util.HashMap<String, INDArray>();
            ((RecurrentLayer) m.getLayer(l)).rnnGetPreviousState().forEach((k, v) -> state.put(k, v.dup()));
            carried.add(state);
        }
        // As doTruncatedBPTT leaves it: the rnnTimeStep state empty, the truncated-BPTT state carried.
        m.rnnClearPreviousState();
        for (int l = 1; l < m.getnLayers() - 1; l++) {
            ((RecurrentLayer) m.getLayer(l)).rnnSetTBPTTState(carried.get(l - 1));
        }
        INDArray[] data = dataSet(inputs, targets, vocabulary);
        m.setInput(data[0]);
        m.setLabels(data[1]);
        m.computeGradientAndScore();
        return m.gradient().gradient().dup().data().asFloat();
    }
}
