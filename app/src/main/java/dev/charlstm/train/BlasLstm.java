package dev.charlstm.train;

import dev.charlstm.model.ParameterLayout;
import dev.charlstm.network.FastMath32;
import dev.charlstm.network.Gate;
import dev.charlstm.network.LstmCell;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The loss and gradient of one truncated-BPTT segment of an embedding → LSTM × n → softmax
 * network, computed with a handful of BLAS products per time step and vectorised Java loops in
 * between: the true truncated gradient of the segment's loss from the carried state. On the first
 * segment of a chunk (zero state) that is exactly what DL4J's {@code computeGradientAndScore}
 * yields; on later segments DL4J 1.0.0-M2.1 yields something else, because its LSTM backward pass
 * re-runs the layer from a zero state ({@code BlasTrainingTest} pins both facts).
 *
 * <p>DL4J's LSTM layer spends most of its time on the overhead of a dozen native calls per time
 * step. Here each step costs one matrix product forward and one backward, every product that can
 * span the whole segment (input projections, the output layer, all weight gradients) does, and the
 * first layer's input projection is a lookup: an embedding followed by a linear map is one table
 * of per-character gate inputs, built once per segment.
 *
 * <p>The batch is cut into shards of rows that run on separate threads, each with its own
 * recurrent state and single-threaded BLAS, and their weight gradients are summed in shard order,
 * so results do not depend on thread timing. Dropout masks come from {@link DropoutMasks}, a
 * generator per (segment seed, batch row), so the masks do not depend on the number of shards.
 * The sums over a shard's rows do, in their last bits: a different shard count adds the same
 * terms in another order.
 *
 * <p>Gradients follow DL4J's conventions: summed over the batch (DL4J's updater divides by the
 * batch size), the loss divided by the configured truncated-BPTT length, no gradient into the
 * previous segment. CPU backend only (it reads ND4J's host memory). Not thread-safe; one instance
 * per training run.
 */
final class BlasLstm implements AutoCloseable {

    private final ParameterLayout p;
    private final int batch;
    private final int maxSteps;
    private final float lossScale;
    private final NativeFloats weights;
    /** Layer 0's gate inputs per character (embedding row · W + b), [vocabulary][gates]. */
    private final NativeFloats tableNative;
    private final float[] table;
    private final float[][] biases;
    private final float[] outputBias;
    private final Shard[] shards;
    private final ExecutorService pool;
    /** Shards inside {@link Shard#run}: zero whenever {@link #segment} has returned or thrown. */
    private final AtomicInteger runningShards = new AtomicInteger();

    /**
     * @param layout           the network's parameter layout
     * @param batch            rows per segment
     * @param maxSteps         the truncated-BPTT length: the longest segment
     * @param lossSequenceLength what the loss divides by (DL4J: the configured segment length)
     * @param threads          shards of the batch computed in parallel
     */
    BlasLstm(ParameterLayout layout, int batch, int maxSteps, int lossSequenceLength, int threads) {
        if (batch < 1 || maxSteps < 1 || lossSequenceLength < 1 || threads < 1) {
            throw new IllegalArgumentException("batch, steps, sequence length and threads must be positive");
        }
        this.p = layout;
        this.batch = batch;
        this.maxSteps = maxSteps;
        this.lossScale = 1f / lossSequenceLength;
        this.weights = new NativeFloats(layout.length());
        this.tableNative = new NativeFloats((long) layout.vocabulary() * layout.gates());
        this.table = new float[layout.vocabulary() * layout.gates()];
        this.biases = new float[layout.layers()][layout.gates()];
        this.outputBias = new float[layout.vocabulary()];
        int n = Math.min(threads, batch);
        this.shards = new Shard[n];
        for (int s = 0; s < n; s++) {
            int from = (int) ((long) batch * s / n);
            int to = (int) ((long) batch * (s + 1) / n);
            shards[s] = new Shard(from, to - from);
        }
        this.pool = n == 1 ? null : Executors.newFixedThreadPool(n - 1, r -> {
            Thread t = new Thread(r, "charlstm-blas-lstm");
            t.setDaemon(true);
            return t;
        });
    }

    /** Forgets the recurrent state, as at the start of each batch of chunks. */
    void resetState() {
        for (Shard s : shards) {
            s.resetState();
        }
    }

    /**
     * Runs one segment forward and backward from the carried state, then carries the state on.
     *
     * @param params   DL4J's flattened parameter vector
     * @param inputs   character ids, [batch][steps]
     * @param targets  the next characters, [batch][steps]
     * @param steps    the segment length, at most the truncated-BPTT length
     * @param seed     dropout masks derive from this and the batch row
     * @param gradient where the gradient goes, in DL4J's flattened layout
     * @return the summed loss divided by the sequence length and the batch size (DL4J's score)
     */
    double segment(INDArray params, int[][] inputs, int[][] targets, int steps, long seed, float[] gradient) {
        if (inputs.length != batch || targets.length != batch || steps < 1 || steps > maxSteps
                || gradient.length != p.length()) {
            throw new IllegalArgumentException("segment shape does not match the engine");
        }
        if (params.offset() != 0 || params.length() != p.length()) {
            throw new IllegalArgumentException("params must be the network's whole parameter vector");
        }
        // One BLAS thread per shard while the segment runs; ND4J's work in between (validation) gets its threads back.
        int blasThreadsBefore = NativeFloats.blasThreads();
        NativeFloats.blasThreads(1);
        try {
            loadWeights(params);
            double loss = runShards(inputs, targets, steps, seed);
            sumGradients(gradient);
            return loss * lossScale / batch;
        } finally {
            NativeFloats.blasThreads(blasThreadsBefore);
        }
    }

    /**
     * Runs every shard and waits for all of them, even when one fails: a shard still running must
     * not find its native buffers freed by {@link #close()} after the failure propagates.
     */
    private double runShards(int[][] inputs, int[][] targets, int steps, long seed) {
        List<Future<Double>> pending = new ArrayList<>();
        for (int s = 1; s < shards.length; s++) {
            Shard shard = shards[s];
            pending.add(pool.submit(() -> shard.run(inputs, targets, steps, seed)));
        }
        double loss = 0;
        Throwable failure = null;
        try {
            loss = shards[0].run(inputs, targets, steps, seed);
        } catch (RuntimeException | Error e) {
            failure = e; // an OutOfMemoryError too: the other shards still run on this engine's memory
        }
        boolean interrupted = false;
        for (Future<Double> f : pending) {
            while (true) {
                try {
                    loss += f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the shard is using this engine's memory
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException || e.getCause() instanceof Error
                                ? e.getCause() : new IllegalStateException(e.getCause());
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            if (failure == null) {
                failure = new IllegalStateException("interrupted while training");
            }
        }
        if (failure instanceof Error error) {
            throw error;
        } else if (failure != null) {
            throw (RuntimeException) failure;
        }
        return loss;
    }

    private void sumGradients(float[] gradient) {
        System.arraycopy(shards[0].gradient, 0, gradient, 0, gradient.length);
        for (int s = 1; s < shards.length; s++) {
            float[] g = shards[s].gradient;
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] += g[i];
            }
        }
    }

    private void loadWeights(INDArray params) {
        weights.copyFrom(params.data().addressPointer(), p.length());
        int g = p.gates();
        for (int l = 0; l < p.layers(); l++) {
            weights.get(p.biases().get(l).offset(), biases[l], 0, g);
        }
        weights.get(p.outputBias().offset(), outputBias, 0, outputBias.length);
        // table = embedding · W0 + b0, with the embedding stored [E][V] and W0 [G][E] (row-major)
        ParameterLayout.Matrix emb = p.embeddingWeights();
        ParameterLayout.Matrix w0 = p.inputWeights().get(0);
        NativeFloats.gemm(true, true, p.vocabulary(), g, p.embedding(), weights.at(emb.offset()), p.vocabulary(),
                weights.at(w0.offset()), p.embedding(), 0f, tableNative.at(0), g);
        tableNative.get(0, table, 0, table.length);
        for (int v = 0; v < p.vocabulary(); v++) {
            for (int j = 0; j < g; j++) {
                table[v * g + j] += biases[0][j];
            }
        }
    }

    /** Shards still computing; for tests of the failure path. */
    int runningShards() {
        return runningShards.get();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        for (Shard s : shards) {
            s.close();
        }
        weights.close();
        tableNative.close();
    }

    /** Batch rows [first, first + rows) with their own state, activations and scratch memory. */
    private final class Shard implements AutoCloseable {
        final int first;
        final int rows;
        final int h = p.hidden();
        final int g = p.gates();
        final int v = p.vocabulary();
        final int[] x;
        final int[] y;
        /** Per layer, time-major: activated gates [T][rows][G], cell and hidden state [T+1][rows][H] (slot 0 = carried in), tanh(c) [T][rows][H]. */
        final float[][] gates;
        final float[][] cells;
        final float[][] hiddens;
        final float[][] tanhCells;
        /** Per layer: its input after dropout, [T][rows][H] (unused for layer 0); its dropout mask, scaled by 1/keep. */
        final float[][] inputs;
        final float[][] masks;
        final float[] outputInput;
        final float[] outputMask;
        final float[] probs;
        final float[] dH;
        final float[] dZ;
        final float[] dhNext;
        final float[] dcNext;
        final float[] scratch;
        final float[] scatter;
        final float[] gradient = new float[Math.toIntExact(p.length())];
        final float[][] biasGradients = new float[p.layers()][p.gates()];
        final float[] outputBiasGradient = new float[p.vocabulary()];
        final NativeFloats stepIn;
        final NativeFloats stepOut;
        final NativeFloats big;
        final NativeFloats states;
        final NativeFloats logits;
        final NativeFloats nativeGradient;
        final NativeFloats scatterNative;

        Shard(int first, int rows) {
            this.first = first;
            this.rows = rows;
            int t = maxSteps;
            int layers = p.layers();
            x = new int[t * rows];
            y = new int[t * rows];
            gates = new float[layers][t * rows * g];
            cells = new float[layers][(t + 1) * rows * h];
            hiddens = new float[layers][(t + 1) * rows * h];
            tanhCells = new float[layers][t * rows * h];
            inputs = new float[layers][];
            masks = new float[layers][];
            for (int l = 1; l < layers; l++) {
                inputs[l] = new float[t * rows * h];
                masks[l] = new float[t * rows * h];
            }
            outputInput = new float[t * rows * h];
            outputMask = new float[t * rows * h];
            probs = new float[t * rows * v];
            dH = new float[t * rows * h];
            dZ = new float[t * rows * g];
            dhNext = new float[rows * h];
            dcNext = new float[rows * h];
            scratch = new float[t * rows * Math.max(g, v)]; // as long as any array FastMath32 works on
            scatter = new float[v * g];
            stepIn = new NativeFloats((long) rows * g);
            stepOut = new NativeFloats((long) rows * g);
            big = new NativeFloats((long) t * rows * g);
            states = new NativeFloats((long) (t + 1) * rows * h);
            logits = new NativeFloats((long) t * rows * v);
            nativeGradient = new NativeFloats(p.length());
            scatterNative = new NativeFloats((long) v * g);
        }

        void resetState() {
            for (int l = 0; l < p.layers(); l++) {
                Arrays.fill(cells[l], 0, rows * h, 0f);
                Arrays.fill(hiddens[l], 0, rows * h, 0f);
            }
        }

        /** Forward and backward over this shard's rows; returns the summed loss in nats. */
        double run(int[][] in, int[][] out, int steps, long seed) {
            runningShards.incrementAndGet();
            try {
                return runShard(in, out, steps, seed);
            } finally {
                runningShards.decrementAndGet();
            }
        }

        private double runShard(int[][] in, int[][] out, int steps, long seed) {
            for (int t = 0; t < steps; t++) {
                for (int r = 0; r < rows; r++) {
                    x[t * rows + r] = in[first + r][t];
                    y[t * rows + r] = out[first + r][t];
                }
            }
            drawMasks(steps, seed);
            for (int l = 0; l < p.layers(); l++) {
                forward(l, steps);
            }
            double loss = outputLayer(steps);
            for (int l = p.layers() - 1; l >= 0; l--) {
                backward(l, steps);
            }
            nativeGradient.get(0, gradient, 0, gradient.length);
            writeBiasGradients();
            carryState(steps);
            return loss;
        }

        private void drawMasks(int steps, long seed) {
            DropoutMasks.draw(seed, first, rows, steps, h, p.keepInput(), p.keepOutput(), masks, outputMask);
        }

        private void forward(int l, int steps) {
            int n = steps * rows;
            float[] gate = gates[l];
            float[] c = cells[l];
            float[] hs = hiddens[l];
            float[] tc = tanhCells[l];
            FloatPointer rw = weights.at(p.recurrentWeights().get(l).offset());
            if (l == 0) {
                for (int i = 0; i < n; i++) {
                    System.arraycopy(table, x[i] * g, gate, i * g, g);
                }
            } else {
                float[] below = hiddens[l - 1];
                float[] xin = inputs[l];
                float[] mask = masks[l];
                for (int i = 0; i < n * h; i++) {
                    xin[i] = below[rows * h + i] * mask[i];
                }
                states.put(0, xin, 0, n * h);
                NativeFloats.gemm(false, true, n, g, h, states.at(0), h, weights.at(p.inputWeights().get(l).offset()), h,
                        0f, big.at(0), g);
                big.get(0, gate, 0, n * g);
                float[] b = biases[l];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < g; j++) {
                        gate[i * g + j] += b[j];
                    }
                }
            }
            int rh = rows * h;
            int rg = rows * g;
            for (int t = 0; t < steps; t++) {
                int z = t * rg;
                // z += h(t-1) · RW, the one product that has to wait for the previous step
                stepIn.put(0, hs, t * rh, rh);
                stepOut.put(0, gate, z, rg);
                NativeFloats.gemm(false, true, rows, g, h, stepIn.at(0), h, rw, h, 1f, stepOut.at(0), g);
                stepOut.get(0, gate, z, rg);
                LstmCell.activate(gate, z, rows, h, scratch);
                for (int r = 0; r < rows; r++) {
                    int a = z + r * g;
                    int cur = t * rh + r * h;
                    LstmCell.updateCell(gate, a, c, cur, c, cur + rh, h); // c(t) from c(t-1), slot 0 carried in
                    System.arraycopy(c, cur + rh, tc, cur, h);
                }
                FastMath32.tanh(tc, t * rh, rh, scratch);
                for (int r = 0; r < rows; r++) {
                    int cur = t * rh + r * h;
                    LstmCell.hidden(gate, z + r * g, tc, cur, hs, cur + rh, h);
                }
            }
        }

        /** Softmax cross-entropy on the top layer's output; leaves dLoss/dh of the top layer in dH. */
        private double outputLayer(int steps) {
            int n = steps * rows;
            float[] top = hiddens[p.layers() - 1];
            for (int i = 0; i < n * h; i++) {
                outputInput[i] = top[rows * h + i] * outputMask[i];
            }
            ParameterLayout.Matrix w = p.outputWeights();
            states.put(0, outputInput, 0, n * h);
            NativeFloats.gemm(false, true, n, v, h, states.at(0), h, weights.at(w.offset()), h, 0f, logits.at(0), v);
            logits.get(0, probs, 0, n * v);
            double loss = 0;
            for (int i = 0; i < n; i++) {
                int o = i * v;
                float max = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) {
                    probs[o + k] += outputBias[k];
                    max = Math.max(max, probs[o + k]);
                }
                for (int k = 0; k < v; k++) {
                    probs[o + k] -= max;
                }
                float target = probs[o + y[i]];
                FastMath32.exp(probs, o, v, scratch);
                float sum = 0;
                for (int k = 0; k < v; k++) {
                    sum += probs[o + k];
                }
                loss += Math.log(sum) - target;
                float inv = 1f / sum;
                for (int k = 0; k < v; k++) {
                    probs[o + k] *= inv * lossScale;
                }
                probs[o + y[i]] -= lossScale; // d/dlogits = (softmax - onehot) / sequence length
            }
            columnSums(probs, n, v, outputBiasGradient);
            logits.put(0, probs, 0, n * v);
            // dW_out = dlogits^T · input ([V][H]), d input = dlogits · W_out
            NativeFloats.gemm(true, false, v, h, n, logits.at(0), v, states.at(0), h, 0f, nativeGradient.at(w.offset()), h);
            NativeFloats.gemm(false, false, n, h, v, logits.at(0), v, weights.at(w.offset()), h, 0f, states.at(0), h);
            states.get(0, dH, 0, n * h);
            for (int i = 0; i < n * h; i++) {
                dH[i] *= outputMask[i];
            }
            return loss;
        }

        /** Back through layer l's time steps from dH (dLoss/dh per step); leaves the layer below's dH. */
        private void backward(int l, int steps) {
            int n = steps * rows;
            int rh = rows * h;
            int rg = rows * g;
            float[] gate = gates[l];
            float[] c = cells[l];
            float[] tc = tanhCells[l];
            FloatPointer rw = weights.at(p.recurrentWeights().get(l).offset());
            int blockInput = Gate.BLOCK_INPUT.offset(h);
            int forget = Gate.FORGET.offset(h);
            int output = Gate.OUTPUT.offset(h);
            int input = Gate.INPUT.offset(h);
            Arrays.fill(dhNext, 0f);
            Arrays.fill(dcNext, 0f);
            for (int t = steps - 1; t >= 0; t--) {
                for (int r = 0; r < rows; r++) {
                    int a = t * rg + r * g;
                    int cur = t * rh + r * h;
                    int o = r * h;
                    int ba = a + blockInput;
                    int bf = a + forget;
                    int bo = a + output;
                    int bi = a + input;
                    for (int k = 0; k < h; k++) {
                        float in = gate[ba + k];
                        float f = gate[bf + k];
                        float og = gate[bo + k];
                        float ig = gate[bi + k];
                        float tanhC = tc[cur + k];
                        float dh = dH[cur + k] + dhNext[o + k];
                        float dc = dh * og * (1f - tanhC * tanhC) + dcNext[o + k];
                        dZ[ba + k] = dc * ig * (1f - in * in);
                        dZ[bf + k] = dc * c[cur + k] * f * (1f - f);
                        dZ[bo + k] = dh * tanhC * og * (1f - og);
                        dZ[bi + k] = dc * in * ig * (1f - ig);
                        dcNext[o + k] = dc * f;
                    }
                }
                if (t > 0) {
                    stepIn.put(0, dZ, t * rg, rg);
                    NativeFloats.gemm(false, false, rows, h, g, stepIn.at(0), g, rw, h, 0f, stepOut.at(0), h);
                    stepOut.get(0, dhNext, 0, rh);
                }
            }
            columnSums(dZ, n, g, biasGradients[l]);
            big.put(0, dZ, 0, n * g);
            // dRW = h(t-1)^T · dZ over the segment, the carried-in state included
            states.put(0, hiddens[l], 0, n * h);
            NativeFloats.gemm(true, false, g, h, n, big.at(0), g, states.at(0), h, 0f,
                    nativeGradient.at(p.recurrentWeights().get(l).offset()), h);
            if (l > 0) {
                ParameterLayout.Matrix w = p.inputWeights().get(l);
                states.put(0, inputs[l], 0, n * h);
                NativeFloats.gemm(true, false, g, h, n, big.at(0), g, states.at(0), h, 0f, nativeGradient.at(w.offset()), h);
                NativeFloats.gemm(false, false, n, h, g, big.at(0), g, weights.at(w.offset()), h, 0f, states.at(0), h);
                states.get(0, dH, 0, n * h);
                float[] mask = masks[l];
                for (int i = 0; i < n * h; i++) {
                    dH[i] *= mask[i];
                }
            } else {
                embeddingGradients(n);
            }
        }

        /** Layer 0's input is a table lookup: sum dZ per character, then two small products. */
        private void embeddingGradients(int n) {
            Arrays.fill(scatter, 0f);
            for (int i = 0; i < n; i++) {
                int row = x[i] * g;
                int from = i * g;
                for (int j = 0; j < g; j++) {
                    scatter[row + j] += dZ[from + j];
                }
            }
            scatterNative.put(0, scatter, 0, scatter.length);
            ParameterLayout.Matrix emb = p.embeddingWeights();
            ParameterLayout.Matrix w0 = p.inputWeights().get(0);
            int e = p.embedding();
            // dW0 [G][E] = S^T · embedding; d embedding [E][V] = W0^T · S^T
            NativeFloats.gemm(true, true, g, e, v, scatterNative.at(0), g, weights.at(emb.offset()), v, 0f,
                    nativeGradient.at(w0.offset()), e);
            NativeFloats.gemm(true, true, e, v, g, weights.at(w0.offset()), e, scatterNative.at(0), g, 0f,
                    nativeGradient.at(emb.offset()), v);
        }

        /** Bias gradients are column sums, kept on the heap rather than done as products with a ones vector. */
        private void writeBiasGradients() {
            System.arraycopy(outputBiasGradient, 0, gradient, p.outputBias().offset(), v);
            for (int l = 0; l < p.layers(); l++) {
                System.arraycopy(biasGradients[l], 0, gradient, p.biases().get(l).offset(), g);
            }
        }

        private static void columnSums(float[] m, int rows, int cols, float[] sums) {
            Arrays.fill(sums, 0f);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    sums[j] += m[i * cols + j];
                }
            }
        }

        private void carryState(int steps) {
            int rh = rows * h;
            for (int l = 0; l < p.layers(); l++) {
                System.arraycopy(cells[l], steps * rh, cells[l], 0, rh);
                System.arraycopy(hiddens[l], steps * rh, hiddens[l], 0, rh);
            }
        }

        @Override
        public void close() {
            stepIn.close();
            stepOut.close();
            big.close();
            states.close();
            logits.close();
            nativeGradient.close();
            scatterNative.close();
        }
    }
}
