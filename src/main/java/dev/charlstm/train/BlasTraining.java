package dev.charlstm.train;

import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fits a DL4J network on batches of text chunks with {@link BlasLstm}'s gradients and DL4J's own
 * updater, step for step what {@code MultiLayerNetwork.fit} does under truncated BPTT: per segment
 * the gradient lands in the network's gradient vector, the updater divides it by the batch size,
 * clips it per layer and applies Adam with its learning-rate schedule, and the parameters take
 * the step. The network, its updater state and its iteration count stay DL4J's, so checkpoints,
 * resuming and every loader are unchanged.
 *
 * <pre>{@code
 * try (BlasTraining fit = new BlasTraining(net, config.batchSize(), config.tbpttLength(), 2)) {
 *     double loss = fit.fit(sampler.windows(seed, iteration), seed + iteration);
 * }
 * }</pre>
 */
final class BlasTraining implements AutoCloseable {

    private final MultiLayerNetwork net;
    private final int batch;
    private final int tbptt;
    private final BlasLstm engine;
    private final DefaultGradient gradient;
    private final float[] host;

    /**
     * @throws IllegalArgumentException when the network is not one {@link BlasLstm} computes
     *                                  exactly (see {@link ParameterLayout#of})
     */
    BlasTraining(MultiLayerNetwork net, int batch, int tbptt, int threads) {
        ParameterLayout layout = ParameterLayout.of(net);
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView(); // DL4J creates it lazily, on the first backward pass
        }
        INDArray flatGradient = net.getFlattenedGradients();
        if (net.params().offset() != 0 || flatGradient.offset() != 0 || flatGradient.length() != layout.length()) {
            throw new IllegalArgumentException("the network's parameter and gradient vectors are not plain arrays");
        }
        this.net = net;
        this.batch = batch;
        this.tbptt = tbptt;
        this.engine = new BlasLstm(layout, batch, tbptt, lossSequenceLength(net), threads);
        this.gradient = new DefaultGradient(flatGradient);
        // The updater clips per layer, so it needs the per-parameter views keyed "layer_param", as DL4J's backprop makes them.
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer layer = net.getLayer(i);
            Map<String, INDArray> views = layer.conf().getLayer().initializer()
                    .getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray());
            views.forEach((name, view) -> gradient.setGradientFor(layer.getIndex() + "_" + name, view));
        }
        this.host = new float[Math.toIntExact(layout.length())];
    }

    private static int lossSequenceLength(MultiLayerNetwork net) {
        var output = (org.deeplearning4j.nn.conf.layers.BaseOutputLayer) net.getOutputLayer().conf().getLayer();
        if (!(output.getLossFn() instanceof dev.charlstm.model.PerCharacterCrossEntropy loss)) {
            throw new IllegalArgumentException("the output layer's loss must be per-character cross-entropy, found "
                    + output.getLossFn());
        }
        return loss.getSequenceLength();
    }

    /**
     * One iteration: the chunks' segments in order, the state carried between them.
     *
     * @param windows [batch][chunk + 1] character ids: inputs are [0, chunk), targets [1, chunk]
     * @param seed    dropout masks derive from it (and the segment and row)
     * @return the mean per-character loss of the segments, in nats
     */
    double fit(int[][] windows, long seed) {
        if (windows.length != batch) {
            throw new IllegalArgumentException("expected " + batch + " chunks, got " + windows.length);
        }
        int chunk = windows[0].length - 1;
        engine.resetState();
        double sum = 0;
        int segments = 0;
        int[][] in = new int[batch][tbptt];
        int[][] out = new int[batch][tbptt];
        for (int start = 0; start < chunk; start += tbptt) {
            int steps = Math.min(tbptt, chunk - start);
            for (int b = 0; b < batch; b++) {
                System.arraycopy(windows[b], start, in[b], 0, steps);
                System.arraycopy(windows[b], start + 1, out[b], 0, steps);
            }
            double score = engine.segment(net.params(), in, out, steps, seed * 31 + segments, host);
            step(score);
            sum += score;
            segments++;
        }
        return sum / segments;
    }

    /** What DL4J's StochasticGradientDescent does with a computed gradient. */
    private void step(double score) {
        INDArray flat = net.getFlattenedGradients();
        new FloatPointer(flat.data().addressPointer()).put(host, 0, host.length);
        int iteration = net.getIterationCount();
        net.getUpdater().update(net, gradient, iteration, net.getEpochCount(), batch, LayerWorkspaceMgr.noWorkspaces());
        net.params().subi(flat.reshape(net.params().shape()));
        net.setScore(score);
        net.getLayerWiseConfigurations().setIterationCount(iteration + 1);
    }

    @Override
    public void close() {
        engine.close();
    }
}
