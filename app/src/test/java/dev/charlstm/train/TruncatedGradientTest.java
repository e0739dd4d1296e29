package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.model.ParameterLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Both training engines against {@link ReferenceLstm}: a double-precision forward pass of the same
 * network, differentiated by central differences, with the recurrent state carried between
 * segments and the dropout masks held fixed. The entries checked are drawn at random from every
 * parameter group, so an entry an engine gets wrong cannot hide behind the ones it gets right.
 */
class TruncatedGradientTest {

    private static final int VOCABULARY = 20;

    private static TrainConfig config(String... overrides) {
        TrainConfig c = TrainConfig.defaults().withOverrides(List.of("embedding_size=4", "hidden_size=6", "layers=2",
                "batch_size=4", "chunk_length=9", "tbptt_length=3", "dropout=0.3", "learning_rate=0.02", "seed=11"));
        return c.withOverrides(List.of(overrides));
    }

    /** A network with random weights large enough that every gate saturates somewhere. */
    private static MultiLayerNetwork network(TrainConfig c, long seed) {
        MultiLayerNetwork net = NetworkFactory.build(c, VOCABULARY);
        Nd4j.getRandom().setSeed(seed);
        net.params().assign(Nd4j.rand(net.params().dataType(), net.params().shape()).subi(0.5).muli(1.2));
        return net;
    }

    /** [rows][length] character ids of a skewed, repetitive text. */
    private static int[][] windows(int rows, int length, long seed) {
        Random random = new Random(seed);
        int[][] w = new int[rows][length];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < length; i++) {
                w[r][i] = i % 4 == 0 ? random.nextInt(VOCABULARY) : (w[r][Math.max(0, i - 2)] + 3) % VOCABULARY;
            }
        }
        return w;
    }

    private static int[][] columns(int[][] windows, int from, int steps) {
        int[][] out = new int[windows.length][];
        for (int r = 0; r < windows.length; r++) {
            out[r] = Arrays.copyOfRange(windows[r], from, from + steps);
        }
        return out;
    }

    private static double[] params(MultiLayerNetwork net) {
        return ReferenceLstm.toDouble(net.params().dup().data().asFloat());
    }

    /** {@code perGroup} seeded random entries of every parameter group, output layer and embedding included. */
    private static int[] randomEntries(ParameterLayout p, int perGroup, long seed) {
        List<ParameterLayout.Matrix> groups = new ArrayList<>(List.of(p.embeddingWeights(), p.outputWeights(), p.outputBias()));
        groups.addAll(p.inputWeights());
        groups.addAll(p.recurrentWeights());
        groups.addAll(p.biases());
        Random random = new Random(seed);
        return groups.stream().flatMapToInt(m -> random.ints(perGroup, 0, m.size()).map(i -> m.offset() + i)).toArray();
    }

    @Test
    void theReferenceIsDl4jsOwnForwardPass() {
        TrainConfig c = config("dropout=0");
        MultiLayerNetwork net = network(c, 1);
        ParameterLayout p = ParameterLayout.of(net);
        int[][] w = windows(c.batchSize(), 4, 2);
        int[][] in = columns(w, 0, 3);
        int[][] out = columns(w, 1, 3);
        ReferenceLstm reference = new ReferenceLstm(p);
        double loss = reference.loss(params(net), in, out, 3, ReferenceLstm.Masks.draw(p, 0, c.batchSize(), 3),
                ReferenceLstm.State.zero(p, c.batchSize()));
        double dl4j = Dl4jSegments.score(net, in, out, VOCABULARY);
        assertThat(loss / 3 / c.batchSize()).isCloseTo(dl4j, within(1e-5));
    }

    @Test
    void bothEnginesGiveTheTrueGradientOfALaterSegmentWithDropoutOn() {
        TrainConfig c = config("dropout=0.4");
        MultiLayerNetwork net = network(c, 3);
        ParameterLayout p = ParameterLayout.of(net);
        int rows = c.batchSize();
        int steps = c.tbpttLength();
        int[][] w = windows(rows, 10, 4);
        double[] params = params(net);
        ReferenceLstm reference = new ReferenceLstm(p);
        // The reference's state after two segments (with their own masks), then the third segment's gradient.
        ReferenceLstm.State state = ReferenceLstm.State.zero(p, rows);
        for (int s = 0; s < 2; s++) {
            reference.loss(params, columns(w, s * steps, steps), columns(w, s * steps + 1, steps), steps,
                    ReferenceLstm.Masks.draw(p, 100 + s, rows, steps), state);
        }
        int[] entries = randomEntries(p, 6, 5);
        int[][] in = columns(w, 2 * steps, steps);
        int[][] out = columns(w, 2 * steps + 1, steps);
        ReferenceLstm.Masks masks = ReferenceLstm.Masks.draw(p, 102, rows, steps);
        double[] expected = reference.gradient(params, entries, in, out, steps, masks, state);
        double expectedScore = reference.loss(params, in, out, steps, masks, state.copy()) / steps / rows;

        for (Object[] engine : new Object[][] {{TrainingEngine.BLAS, 1}, {TrainingEngine.BLAS, 2}, {TrainingEngine.ND4J, 1}}) {
            try (SegmentGradient g = TruncatedBptt.engine(net, (TrainingEngine) engine[0], rows, steps, (int) engine[1])) {
                double score = 0;
                for (int s = 0; s < 3; s++) {
                    score = g.compute(columns(w, s * steps, steps), columns(w, s * steps + 1, steps), steps, 100 + s);
                }
                assertThat(score).as("%s x%s score", engine[0], engine[1]).isCloseTo(expectedScore, within(1e-5));
                float[] actual = net.getFlattenedGradients().dup().data().asFloat();
                double scale = Arrays.stream(expected).map(Math::abs).max().orElseThrow();
                for (int k = 0; k < entries.length; k++) {
                    assertThat((double) actual[entries[k]])
                            .as("%s x%s: gradient of parameter %d", engine[0], engine[1], entries[k])
                            .isCloseTo(expected[k] / steps, within(1e-3 * Math.abs(expected[k] / steps) + 2e-5 * scale / steps));
                }
            }
        }
    }

    @Test
    void theNd4jEngineMatchesTheBlasEngineEntryForEntryOverSeveralSegments() {
        TrainConfig c = config("dropout=0.5", "batch_size=20", "hidden_size=12");
        MultiLayerNetwork net = network(c, 7);
        int[][] w = windows(c.batchSize(), 13, 8);
        float[][] gradients = new float[2][];
        double[][] scores = new double[2][4];
        TrainingEngine[] engines = {TrainingEngine.BLAS, TrainingEngine.ND4J};
        for (int e = 0; e < 2; e++) {
            try (SegmentGradient g = TruncatedBptt.engine(net, engines[e], c.batchSize(), 3, 2)) {
                for (int s = 0; s < 4; s++) {
                    scores[e][s] = g.compute(columns(w, s * 3, 3), columns(w, s * 3 + 1, 3), 3, 40 + s);
                }
                gradients[e] = net.getFlattenedGradients().dup().data().asFloat();
            }
        }
        for (int s = 0; s < 4; s++) {
            assertThat(scores[1][s]).as("segment %d score", s).isCloseTo(scores[0][s], within(1e-5));
        }
        double scale = 0;
        for (float v : gradients[0]) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < gradients[0].length; i++) {
            assertThat((double) gradients[1][i]).as("gradient entry %d", i)
                    .isCloseTo(gradients[0][i], within(1e-4 * scale));
        }
    }

    @Test
    void aStepOnTwoWorkersBatchesAddsTheGradientsEachBatchGetsAlone() {
        // What --workers N relies on: rows are independent, state and all, so the gradient of N batches
        // side by side is the sum of their own gradients, and the updater's division by all the rows
        // makes the step their average. (That the masks follow the row, not the shard, is tested above.)
        TrainConfig c = config("dropout=0", "batch_size=8");
        MultiLayerNetwork net = network(c, 21);
        int[][] w = windows(16, 7, 22);
        int[][][] halves = {Arrays.copyOfRange(w, 0, 8), Arrays.copyOfRange(w, 8, 16)};
        float[] together;
        try (SegmentGradient g = TruncatedBptt.engine(net, TrainingEngine.BLAS, 16, 3, 2)) {
            g.compute(columns(w, 0, 3), columns(w, 1, 3), 3, 9);
            g.compute(columns(w, 3, 3), columns(w, 4, 3), 3, 10);
            together = net.getFlattenedGradients().dup().data().asFloat();
        }
        float[] sum = new float[together.length];
        for (int h = 0; h < 2; h++) {
            int[][] part = halves[h];
            float[] g2 = twoSegments(net, part);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += g2[i];
            }
        }
        double scale = 0;
        for (float v : together) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < sum.length; i++) {
            assertThat((double) together[i]).as("entry %d", i).isCloseTo(sum[i], within(1e-5 * scale));
        }
    }

    /** The second segment's gradient of {@code rows} alone, the first segment's state carried in. */
    private static float[] twoSegments(MultiLayerNetwork net, int[][] rows) {
        ParameterLayout p = ParameterLayout.of(net);
        float[] gradient = new float[(int) p.length()];
        try (BlasLstm engine = new BlasLstm(p, rows.length, 3, 3, 1)) {
            for (int s = 0; s < 2; s++) {
                engine.segment(net.params(), columns(rows, s * 3, 3), columns(rows, s * 3 + 1, 3), 3, 9 + s, gradient);
            }
        }
        return gradient;
    }

    @Test
    void dl4jsLaterSegmentGradientComesFromAZeroStateReRunOfTheLstm() {
        // The defect the engines exist for, pinned on DL4J 1.0.0-M2.1: LSTM.backpropGradientHelper re-runs the
        // layer's forward pass from the rnnTimeStep state (stateMap, empty during fit), not from the carried
        // truncated-BPTT state (tBpttStateMap) the score came from; javap -c of LSTM shows the two reads.
        TrainConfig c = config("dropout=0", "layers=1");
        MultiLayerNetwork net = network(c, 9);
        ParameterLayout p = ParameterLayout.of(net);
        int rows = c.batchSize();
        int[][] w = windows(rows, 7, 10);
        int[][] in2 = columns(w, 3, 3);
        int[][] out2 = columns(w, 4, 3);

        float[] dl4j = Dl4jSegments.secondSegmentGradient(net, columns(w, 0, 3), in2, out2, VOCABULARY);
        float[] truth;
        float[] zeroState;
        try (SegmentGradient g = TruncatedBptt.engine(net, TrainingEngine.BLAS, rows, 3, 1)) {
            g.compute(columns(w, 0, 3), columns(w, 1, 3), 3, 0);
            g.compute(in2, out2, 3, 0);
            truth = net.getFlattenedGradients().dup().data().asFloat();
            g.resetState();
            g.compute(in2, out2, 3, 0);
            zeroState = net.getFlattenedGradients().dup().data().asFloat();
        }
        ParameterLayout.Matrix outW = p.outputWeights();
        for (ParameterLayout.Matrix m : List.of(outW, p.outputBias())) {
            assertThat(distance(dl4j, truth, m)).as("output layer block at %d: DL4J is right", m.offset()).isLessThan(1e-4);
        }
        // Below the output layer DL4J backpropagates the right error signal through a zero-state re-run of the LSTM:
        // not the zero-state gradient exactly (that would need the zero-state error signal too), but far nearer it.
        for (ParameterLayout.Matrix m : List.of(p.recurrentWeights().get(0), p.inputWeights().get(0), p.biases().get(0),
                p.embeddingWeights())) {
            double wrong = distance(dl4j, truth, m);
            assertThat(wrong).as("block at %d: DL4J differs from the true gradient", m.offset()).isGreaterThan(0.2);
            assertThat(distance(dl4j, zeroState, m)).as("block at %d: and is far nearer the zero-state one", m.offset())
                    .isLessThan(wrong / 2);
        }
    }

    /** |a − b| / |b| over one parameter block. */
    private static double distance(float[] a, float[] b, ParameterLayout.Matrix m) {
        double diff = 0;
        double norm = 0;
        for (int i = m.offset(); i < m.offset() + m.size(); i++) {
            diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
            norm += b[i] * (double) b[i];
        }
        return Math.sqrt(diff / norm);
    }

    @Test
    void severalSegmentsAndIterationsFollowTheReferenceThroughAdamWithAClipThatBites() {
        TrainConfig c = config("grad_clip=0.02");
        MultiLayerNetwork net = network(c, 12);
        ParameterLayout p = ParameterLayout.of(net);
        double[] expected = params(net);
        ReferenceAdam adam = new ReferenceAdam(p, c.learningRate(), c.gradClip());
        ReferenceLstm reference = new ReferenceLstm(p);
        int rows = c.batchSize();
        int steps = c.tbpttLength();
        int[] all = java.util.stream.IntStream.range(0, (int) p.length()).toArray();
        try (TruncatedBptt fit = new TruncatedBptt(net, TrainingEngine.BLAS, rows, steps, 2)) {
            for (int iteration = 0; iteration < 2; iteration++) {
                int[][] w = windows(rows, c.chunkLength() + 1, 20 + iteration);
                long seed = 500 + iteration;
                fit.fit(w, seed);
                ReferenceLstm.State state = ReferenceLstm.State.zero(p, rows);
                for (int s = 0; s < c.chunkLength() / steps; s++) {
                    int[][] in = columns(w, s * steps, steps);
                    int[][] out = columns(w, s * steps + 1, steps);
                    ReferenceLstm.Masks masks = ReferenceLstm.Masks.draw(p, DropoutMasks.mix(seed) + s, rows, steps);
                    double[] g = reference.gradient(expected, all, in, out, steps, masks, state);
                    reference.loss(expected, in, out, steps, masks, state); // carry the state on, as the engine does
                    for (int i = 0; i < g.length; i++) {
                        g[i] /= steps;
                    }
                    adam.step(expected, g, rows);
                }
            }
        }
        assertThat(adam.clipped).as("the clip bit on most layer updates").isGreaterThan(adam.updates / 2);
        float[] actual = net.params().dup().data().asFloat();
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("largest weight difference after 6 Adam steps of size %s", c.learningRate())
                .isLessThan(1e-3 * c.learningRate());
    }

    @Test
    void droppedUnitsAreTheExpectedFractionScaledByOneOverKeepWhateverTheSharding() {
        int rows = 12;
        int steps = 50;
        int hidden = 40;
        float[] keep = {1f, 0.7f};
        float[][] layers = {null, new float[steps * rows * hidden]};
        float[] output = new float[steps * rows * hidden];
        DropoutMasks.draw(77, 0, rows, steps, hidden, keep, 0.6f, layers, output);
        assertFraction(layers[1], 0.7f);
        assertFraction(output, 0.6f);

        // Rows 5..11 drawn on their own (another shard) are the same rows of the whole batch.
        int shard = 7;
        float[][] part = {null, new float[steps * shard * hidden]};
        float[] partOut = new float[steps * shard * hidden];
        DropoutMasks.draw(77, 5, shard, steps, hidden, keep, 0.6f, part, partOut);
        for (int t = 0; t < steps; t++) {
            for (int r = 0; r < shard; r++) {
                for (int k = 0; k < hidden; k++) {
                    assertThat(part[1][(t * shard + r) * hidden + k]).isEqualTo(layers[1][(t * rows + 5 + r) * hidden + k]);
                    assertThat(partOut[(t * shard + r) * hidden + k]).isEqualTo(output[(t * rows + 5 + r) * hidden + k]);
                }
            }
        }
        float[] none = new float[steps * rows * hidden];
        DropoutMasks.draw(77, 0, rows, steps, hidden, new float[] {1f}, 1f, new float[1][], none);
        for (float v : none) {
            assertThat(v).isEqualTo(1f);
        }
    }

    @Test
    void everyRowDrawsItsOwnMaskNotAShiftedCopyOfAnothers() {
        // Row seeds once differed by multiples of SplittableRandom's own increment, which made
        // about a third of a batch's rows replay another row's stream a few draws later.
        int rows = 64;
        int steps = 40;
        int hidden = 25;
        float[] output = new float[steps * rows * hidden];
        DropoutMasks.draw(123, 0, rows, steps, hidden, new float[] {1f}, 0.5f, new float[1][], output);
        int n = steps * hidden;
        boolean[][] kept = new boolean[rows][n];
        for (int t = 0; t < steps; t++) {
            for (int r = 0; r < rows; r++) {
                for (int k = 0; k < hidden; k++) {
                    kept[r][t * hidden + k] = output[(t * rows + r) * hidden + k] != 0f;
                }
            }
        }
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < rows; b++) {
                for (int shift = 0; shift <= 64; shift++) {
                    if (a == b && shift == 0) {
                        continue;
                    }
                    int same = 0;
                    for (int i = 0; i + shift < n; i++) {
                        same += kept[a][i + shift] == kept[b][i] ? 1 : 0;
                    }
                    // independent masks agree on about half the draws; a shifted copy on all of them
                    assertThat((double) same / (n - shift)).as("row %d shifted by %d against row %d", a, shift, b)
                            .isLessThan(0.6);
                }
            }
        }
    }

    private static void assertFraction(float[] mask, float keep) {
        int kept = 0;
        for (float v : mask) {
            assertThat(v == 0f || v == 1f / keep).as("a mask entry is 0 or 1/keep, got %s", v).isTrue();
            kept += v == 0f ? 0 : 1;
        }
        // 24,000 draws: the kept fraction is within 4 standard deviations (about 0.012) of keep
        assertThat((double) kept / mask.length).isCloseTo(keep, within(0.013));
    }

    @Test
    void aFailingShardIsWaitedForSoTheOthersNeverRunOnFreedMemory() {
        TrainConfig c = config("dropout=0", "hidden_size=64", "batch_size=32", "tbptt_length=200", "chunk_length=200");
        MultiLayerNetwork net = network(c, 13);
        ParameterLayout p = ParameterLayout.of(net);
        int[][] w = windows(32, 201, 14);
        int[][] in = columns(w, 0, 200);
        int[][] out = columns(w, 1, 200);
        for (int r = 0; r < 16; r++) {
            in[r][0] = VOCABULARY + 5; // shard 0 (rows 0-15, the calling thread) fails at once; shard 1 computes on
        }
        float[] gradient = new float[(int) p.length()];
        try (BlasLstm engine = new BlasLstm(p, 32, 200, 200, 2)) {
            assertThatThrownBy(() -> engine.segment(net.params(), in, out, 200, 1, gradient))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(engine.runningShards()).as("shards still running when the failure reached the caller").isZero();
        }
    }

    /** DL4J's Adam (its defaults) after dividing by the batch and clipping each layer's L2 norm, as its updater does. */
    private static final class ReferenceAdam {
        private final ParameterLayout p;
        private final double lr;
        private final double clip;
        private final double[] m;
        private final double[] v;
        private int iteration;
        int clipped;
        int updates;

        ReferenceAdam(ParameterLayout p, double lr, double clip) {
            this.p = p;
            this.lr = lr;
            this.clip = clip;
            this.m = new double[(int) p.length()];
            this.v = new double[(int) p.length()];
        }

        void step(double[] params, double[] gradient, int batch) {
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] /= batch;
            }
            for (List<ParameterLayout.Matrix> layer : layers()) {
                double norm = 0;
                for (ParameterLayout.Matrix block : layer) {
                    for (int i = block.offset(); i < block.offset() + block.size(); i++) {
                        norm += gradient[i] * gradient[i];
                    }
                }
                norm = Math.sqrt(norm);
                updates++;
                if (norm > clip) {
                    clipped++;
                    for (ParameterLayout.Matrix block : layer) {
                        for (int i = block.offset(); i < block.offset() + block.size(); i++) {
                            gradient[i] *= clip / norm;
                        }
                    }
                }
            }
            double b1 = 0.9;
            double b2 = 0.999;
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, iteration + 1)) / (1 - Math.pow(b1, iteration + 1));
            for (int i = 0; i < params.length; i++) {
                m[i] = b1 * m[i] + (1 - b1) * gradient[i];
                v[i] = b2 * v[i] + (1 - b2) * gradient[i] * gradient[i];
                params[i] -= alpha * m[i] / (Math.sqrt(v[i]) + 1e-8);
            }
            iteration++;
        }

        /** The parameter blocks of each DL4J layer: embedding, each LSTM, output. */
        private List<List<ParameterLayout.Matrix>> layers() {
            List<List<ParameterLayout.Matrix>> layers = new ArrayList<>();
            layers.add(List.of(p.embeddingWeights()));
            for (int l = 0; l < p.layers(); l++) {
                layers.add(List.of(p.inputWeights().get(l), p.recurrentWeights().get(l), p.biases().get(l)));
            }
            layers.add(List.of(p.outputWeights(), p.outputBias()));
            return layers;
        }
    }
}
