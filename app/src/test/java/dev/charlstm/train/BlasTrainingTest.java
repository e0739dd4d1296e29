package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.corpus.ChunkSampler;
import dev.charlstm.model.ParameterLayout;
import java.util.Random;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The BLAS engine against DL4J's own LSTM where DL4J is right: the first segment of a chunk, and
 * its updater. Later segments, where DL4J is wrong, are checked in {@link TruncatedGradientTest}.
 */
class BlasTrainingTest {

    private static final int VOCABULARY = 100;

    private static TrainConfig config(String... overrides) {
        TrainConfig c = TrainConfig.defaults().withOverrides(java.util.List.of("embedding_size=8", "hidden_size=24",
                "layers=2", "batch_size=5", "chunk_length=12", "tbptt_length=4", "dropout=0", "learning_rate=0.02",
                "seed=7"));
        return c.withOverrides(java.util.List.of(overrides));
    }

    private static int[] text(int length, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            // a skewed, repetitive text, so gradients are far from symmetric
            ids[i] = i % 7 == 0 ? r.nextInt(VOCABULARY) : (ids[Math.max(0, i - 3)] + 1) % 40;
        }
        return ids;
    }

    /** Inputs and targets of one segment: columns [start, start + steps) of the windows, and the next characters. */
    private static int[][][] segment(int[][] windows, int start, int steps) {
        int[][] in = new int[windows.length][];
        int[][] out = new int[windows.length][];
        for (int b = 0; b < windows.length; b++) {
            in[b] = java.util.Arrays.copyOfRange(windows[b], start, start + steps);
            out[b] = java.util.Arrays.copyOfRange(windows[b], start + 1, start + steps + 1);
        }
        return new int[][][] {in, out};
    }

    private static void assertClose(INDArray actual, INDArray expected, double relative) {
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-6);
        double worst = actual.sub(expected).amaxNumber().doubleValue();
        assertThat(worst / scale).as("largest difference relative to the largest entry").isLessThan(relative);
    }

    @Test
    void oneSegmentGivesDl4jsScoreAndGradientForEveryParameter() {
        TrainConfig c = config();
        MultiLayerNetwork net = NetworkFactory.build(c, VOCABULARY);
        // Random, not Xavier-small, weights so every gate saturates somewhere.
        net.params().assign(Nd4j.rand(net.params().dataType(), net.params().shape()).subi(0.5).muli(0.8));
        ChunkSampler sampler = new ChunkSampler(text(500, 1), VOCABULARY, c.chunkLength(), c.batchSize());
        DataSet batch = sampler.batch(c.seed(), 0);
        int[][] windows = sampler.windows(c.seed(), 0);
        int steps = c.tbpttLength();

        net.setInput(batch.getFeatures().get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, steps)));
        net.setLabels(batch.getLabels().get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, steps)));
        net.computeGradientAndScore();
        INDArray expected = net.gradient().gradient().dup();
        double expectedScore = net.score();

        ParameterLayout layout = ParameterLayout.of(net);
        float[] gradient = new float[(int) layout.length()];
        int[][][] first = segment(windows, 0, steps);
        int[][] in = first[0];
        int[][] out = first[1];
        for (int threads : new int[] {1, 2, 3}) {
            try (BlasLstm engine = new BlasLstm(layout, c.batchSize(), steps, steps, threads)) {
                double score = engine.segment(net.params(), in, out, steps, 1, gradient);
                assertThat(score).as("score with %d thread(s)", threads).isCloseTo(expectedScore, within(1e-5));
                INDArray actual = Nd4j.createFromArray(gradient).reshape(expected.shape());
                assertClose(actual, expected, 1e-4);
                for (int i = 0; i < net.getnLayers(); i++) {
                    var layer = net.getLayer(i);
                    long offset = layer.params().offset() - net.params().offset();
                    INDArray part = actual.get(NDArrayIndex.interval(offset, offset + layer.numParams()));
                    INDArray want = expected.get(NDArrayIndex.interval(offset, offset + layer.numParams()));
                    assertThat(part.norm2Number().doubleValue()).as("layer %d gradient is not zero", i).isGreaterThan(0);
                    assertClose(part, want, 1e-4);
                }
            }
        }
    }

    @Test
    void trainingIterationsMatchDl4jsFitThroughTheUpdater() {
        // One segment per chunk: DL4J's fit and ours then see identical gradients (see the next test for why),
        // and Adam, per-layer clipping and the iteration count must agree too.
        TrainConfig c = config("chunk_length=4");
        MultiLayerNetwork stock = NetworkFactory.build(c, VOCABULARY);
        MultiLayerNetwork fast = NetworkFactory.build(c, VOCABULARY);
        assertThat(fast.params()).isEqualTo(stock.params());
        ChunkSampler sampler = new ChunkSampler(text(800, 2), VOCABULARY, c.chunkLength(), c.batchSize());
        try (TruncatedBptt blas = new TruncatedBptt(fast, TrainingEngine.BLAS, c.batchSize(), c.tbpttLength(), 2)) {
            for (int iteration = 0; iteration < 8; iteration++) {
                stock.fit(sampler.batch(c.seed(), iteration));
                double loss = blas.fit(sampler.windows(c.seed(), iteration), iteration);
                assertThat(loss).isCloseTo(stock.score(), within(1e-4));
                assertThat(fast.getIterationCount()).isEqualTo(stock.getIterationCount());
            }
        }
        assertClose(fast.params(), stock.params(), 1e-4);
        assertClose(fast.getUpdater().getStateViewArray(), stock.getUpdater().getStateViewArray(), 1e-3);
        assertThat(fast.params().sub(NetworkFactory.build(c, VOCABULARY).params()).norm2Number().doubleValue())
                .as("training moved the weights").isGreaterThan(0.1);
    }

    @Test
    void weightDecayIsLeftToDl4jsUpdaterAndMatchesItsFit() {
        TrainConfig c = config("chunk_length=4", "weight_decay=0.05");
        MultiLayerNetwork stock = NetworkFactory.build(c, VOCABULARY);
        MultiLayerNetwork fast = NetworkFactory.build(c, VOCABULARY);
        MultiLayerNetwork undecayed = NetworkFactory.build(config("chunk_length=4"), VOCABULARY);
        ChunkSampler sampler = new ChunkSampler(text(800, 6), VOCABULARY, c.chunkLength(), c.batchSize());
        try (TruncatedBptt blas = new TruncatedBptt(fast, TrainingEngine.BLAS, c.batchSize(), c.tbpttLength(), 2);
             TruncatedBptt plain = new TruncatedBptt(undecayed, TrainingEngine.BLAS, c.batchSize(), c.tbpttLength(), 2)) {
            for (int iteration = 0; iteration < 8; iteration++) {
                stock.fit(sampler.batch(c.seed(), iteration));
                blas.fit(sampler.windows(c.seed(), iteration), iteration);
                plain.fit(sampler.windows(c.seed(), iteration), iteration);
            }
        }
        assertClose(fast.params(), stock.params(), 1e-4);
        assertThat(fast.getLayer(1).getParam("RW").norm2Number().doubleValue())
                .as("decay shrinks the weights").isLessThan(undecayed.getLayer(1).getParam("RW").norm2Number().doubleValue());
    }

    @Test
    void trainingIsBitForBitRepeatableAndNearlyIndependentOfTheThreadCount() {
        TrainConfig c = config("dropout=0.5", "batch_size=32");
        ChunkSampler sampler = new ChunkSampler(text(800, 3), VOCABULARY, c.chunkLength(), c.batchSize());
        int[] threads = {1, 2, 2};
        float[][] results = new float[threads.length][];
        for (int k = 0; k < threads.length; k++) {
            MultiLayerNetwork net = NetworkFactory.build(c, VOCABULARY);
            try (TruncatedBptt blas = new TruncatedBptt(net, TrainingEngine.BLAS, c.batchSize(), c.tbpttLength(), threads[k])) {
                for (int iteration = 0; iteration < 3; iteration++) {
                    blas.fit(sampler.windows(c.seed(), iteration), 1000 + iteration);
                }
            }
            results[k] = net.params().dup().data().asFloat();
        }
        assertThat(results[2]).as("the same thread count twice: identical bits").isEqualTo(results[1]);
        // Masks do not depend on the sharding, but two shards sum their products in another order than one does.
        float worst = 0;
        for (int i = 0; i < results[0].length; i++) {
            worst = Math.max(worst, Math.abs(results[0][i] - results[1][i]));
        }
        assertThat(worst).as("1 against 2 threads, largest weight difference").isLessThan(1e-4f);
    }

    @Test
    void theBlasEngineGivesOpenBlasItsThreadCountBackAfterEverySegment() {
        TrainConfig c = config();
        MultiLayerNetwork net = NetworkFactory.build(c, VOCABULARY);
        ChunkSampler sampler = new ChunkSampler(text(500, 9), VOCABULARY, c.chunkLength(), c.batchSize());
        int before = NativeFloats.blasThreads();
        NativeFloats.blasThreads(2);
        try (TruncatedBptt blas = new TruncatedBptt(net, TrainingEngine.BLAS, c.batchSize(), c.tbpttLength(), 2)) {
            assertThat(NativeFloats.blasThreads()).as("after construction").isEqualTo(2);
            blas.fit(sampler.windows(c.seed(), 0), 0);
            assertThat(NativeFloats.blasThreads()).as("after an iteration, as validation runs").isEqualTo(2);
        } finally {
            NativeFloats.blasThreads(before);
        }
    }

    @Test
    void dropoutScoresAreNoisyAroundTheDeterministicOnes() {
        // With dropout the training loss of fixed weights varies with the mask seed and is higher on average.
        TrainConfig plain = config("batch_size=16");
        TrainConfig dropped = config("batch_size=16", "dropout=0.5");
        MultiLayerNetwork a = NetworkFactory.build(plain, VOCABULARY);
        MultiLayerNetwork b = NetworkFactory.build(dropped, VOCABULARY);
        b.setParams(a.params().dup());
        ChunkSampler sampler = new ChunkSampler(text(800, 4), VOCABULARY, plain.chunkLength(), plain.batchSize());
        int[][] windows = sampler.windows(plain.seed(), 0);
        ParameterLayout la = ParameterLayout.of(a);
        ParameterLayout lb = ParameterLayout.of(b);
        assertThat(lb.keepOutput()).isEqualTo(0.5f);
        assertThat(lb.keepInput()[1]).isEqualTo(0.5f);
        assertThat(la.keepOutput()).isEqualTo(1f);
        int[][][] data = segment(windows, 0, 4);
        int[][] in = data[0];
        int[][] out = data[1];
        float[] g = new float[(int) la.length()];
        try (BlasLstm plainEngine = new BlasLstm(la, 16, 4, 4, 1); BlasLstm dropEngine = new BlasLstm(lb, 16, 4, 4, 1)) {
            double clean = plainEngine.segment(a.params(), in, out, 4, 1, g);
            plainEngine.resetState();
            assertThat(plainEngine.segment(a.params(), in, out, 4, 2, g)).as("no dropout: the seed is irrelevant")
                    .isEqualTo(clean);
            double first = dropEngine.segment(b.params(), in, out, 4, 1, g);
            dropEngine.resetState();
            double second = dropEngine.segment(b.params(), in, out, 4, 2, g);
            dropEngine.resetState();
            assertThat(first).isNotEqualTo(second);
            assertThat(dropEngine.segment(b.params(), in, out, 4, 1, g)).as("same seed, same masks").isEqualTo(first);
        }
    }

    @Test
    void refusesNetworksItWouldNotComputeExactly() {
        MultiLayerNetwork net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(10).nOut(4).build())
                .layer(new LSTM.Builder().nIn(4).nOut(6).activation(Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder().nIn(6).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.recurrent(10))
                .build());
        net.init();
        assertThatThrownBy(() -> ParameterLayout.of(net)).hasMessageContaining("tanh with sigmoid gates");
    }
}
