package dev.charlstm.train;

import dev.charlstm.model.ParameterLayout;
import dev.charlstm.model.PerCharacterCrossEntropy;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fits a DL4J network on batches of text chunks with truncated BPTT: the true gradient of each
 * segment from a {@link SegmentGradient} engine, the step from DL4J's own updater.
 *
 * <p>Per segment the gradient lands in the network's gradient vector, the updater divides it by
 * the number of rows, clips it per layer and applies Adam with its learning-rate schedule, and the
 * parameters take the step: what {@code MultiLayerNetwork.fit} does with a gradient, so the
 * network, its updater state and its iteration count stay DL4J's, and checkpoints, resuming and
 * every loader are unchanged. What differs from {@code fit} is the gradient itself: DL4J's is
 * wrong after the first segment of a chunk ({@link SegmentGradient}).
 *
 * <pre>{@code
 * try (TruncatedBptt fit = new TruncatedBptt(net, TrainingEngine.BLAS, config.batchSize(), config.tbpttLength(), 2)) {
 *     double loss = fit.fit(sampler.windows(seed, iteration), seed + iteration);
 * }
 * }</pre>
 */
final class TruncatedBptt implements AutoCloseable {

    private final MultiLayerNetwork net;
    private final int rows;
    private final int tbptt;
    private final SegmentGradient engine;
    private final DefaultGradient gradient;

    /**
     * @param engine  {@link TrainingEngine#BLAS} or {@link TrainingEngine#ND4J}
     * @param rows    chunks per step (a worker's batch times the workers)
     * @param threads batch shards of the BLAS engine (ignored by the ND4J engine)
     * @throws IllegalArgumentException when the network is not one the engines compute exactly
     *                                  (see {@link ParameterLayout#of})
     */
    TruncatedBptt(MultiLayerNetwork net, TrainingEngine engine, int rows, int tbptt, int threads) {
        this.net = net;
        this.rows = rows;
        this.tbptt = tbptt;
        this.gradient = gradientViews(net);
        this.engine = engine(net, engine, rows, tbptt, threads, gradient);
    }

    /**
     * An engine that reads {@code net}'s parameters and writes its flattened gradient vector.
     *
     * @param threads batch shards of the BLAS engine (ignored by the ND4J engine)
     */
    static SegmentGradient engine(MultiLayerNetwork net, TrainingEngine engine, int rows, int tbptt, int threads) {
        return engine(net, engine, rows, tbptt, threads, gradientViews(net));
    }

    private static SegmentGradient engine(MultiLayerNetwork net, TrainingEngine engine, int rows, int tbptt, int threads,
                                          DefaultGradient views) {
        ParameterLayout layout = ParameterLayout.of(net);
        int sequenceLength = lossSequenceLength(net);
        return switch (engine) {
            case BLAS -> new BlasSegments(net, layout, rows, tbptt, sequenceLength, threads);
            case ND4J -> new Nd4jLstm(net, layout, views.gradientForVariable(), rows, tbptt, sequenceLength);
            case DL4J -> throw new IllegalArgumentException("DL4J's own fit does not go through TruncatedBptt");
        };
    }

    /** The per-parameter views of the gradient vector keyed "layer_param", as DL4J's backprop makes them for the updater. */
    private static DefaultGradient gradientViews(MultiLayerNetwork net) {
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView(); // DL4J creates it lazily, on the first backward pass
        }
        INDArray flat = net.getFlattenedGradients();
        if (net.params().offset() != 0 || flat.offset() != 0 || flat.length() != net.params().length()) {
            throw new IllegalArgumentException("the network's parameter and gradient vectors are not plain arrays");
        }
        DefaultGradient gradient = new DefaultGradient(net.getFlattenedGradients());
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer layer = net.getLayer(i);
            Map<String, INDArray> views = layer.conf().getLayer().initializer()
                    .getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray());
            views.forEach((name, view) -> gradient.setGradientFor(layer.getIndex() + "_" + name, view));
        }
        return gradient;
    }

    private static int lossSequenceLength(MultiLayerNetwork net) {
        var output = (BaseOutputLayer) net.getOutputLayer().conf().getLayer();
        if (!(output.getLossFn() instanceof PerCharacterCrossEntropy loss)) {
            throw new IllegalArgumentException("the output layer's loss must be per-character cross-entropy, found "
                    + output.getLossFn());
        }
        return loss.getSequenceLength();
    }

    /**
     * One iteration: the chunks' segments in order, the state carried between them.
     *
     * @param windows [rows][chunk + 1] character ids: inputs are [0, chunk), targets [1, chunk]
     * @param seed    dropout masks derive from it (and the segment and row)
     * @return the mean per-character loss of the segments, in nats
     */
    double fit(int[][] windows, long seed) {
        if (windows.length != rows) {
            throw new IllegalArgumentException("expected " + rows + " chunks, got " + windows.length);
        }
        int chunk = windows[0].length - 1;
        engine.resetState();
        double sum = 0;
        int segments = 0;
        int[][] in = new int[rows][tbptt];
        int[][] out = new int[rows][tbptt];
        for (int start = 0; start < chunk; start += tbptt) {
            int steps = Math.min(tbptt, chunk - start);
            for (int b = 0; b < rows; b++) {
                System.arraycopy(windows[b], start, in[b], 0, steps);
                System.arraycopy(windows[b], start + 1, out[b], 0, steps);
            }
            double score = engine.compute(in, out, steps, DropoutMasks.mix(seed) + segments);
            step(score);
            sum += score;
            segments++;
        }
        return sum / segments;
    }

    /** What DL4J's StochasticGradientDescent does with a computed gradient. */
    private void step(double score) {
        INDArray flat = net.getFlattenedGradients();
        int iteration = net.getIterationCount();
        net.getUpdater().update(net, gradient, iteration, net.getEpochCount(), rows, LayerWorkspaceMgr.noWorkspaces());
        net.params().subi(flat.reshape(net.params().shape()));
        net.setScore(score);
        net.getLayerWiseConfigurations().setIterationCount(iteration + 1);
    }

    @Override
    public void close() {
        engine.close();
    }

    /** {@link BlasLstm} bound to a network: reads its parameters, writes its gradient vector (host memory). */
    private static final class BlasSegments implements SegmentGradient {
        private final MultiLayerNetwork net;
        private final BlasLstm lstm;
        private final float[] host;

        BlasSegments(MultiLayerNetwork net, ParameterLayout layout, int rows, int tbptt, int sequenceLength, int threads) {
            this.net = net;
            this.lstm = new BlasLstm(layout, rows, tbptt, sequenceLength, threads);
            this.host = new float[Math.toIntExact(layout.length())];
        }

        @Override
        public void resetState() {
            lstm.resetState();
        }

        @Override
        public double compute(int[][] inputs, int[][] targets, int steps, long seed) {
            double score = lstm.segment(net.params(), inputs, targets, steps, seed, host);
            new FloatPointer(net.getFlattenedGradients().data().addressPointer()).put(host, 0, host.length);
            return score;
        }

        @Override
        public void close() {
            lstm.close();
        }
    }
}
