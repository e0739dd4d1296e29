package dev.charlstm.generate;

import dev.charlstm.network.FastMath32;
import dev.charlstm.network.LstmCell;
import dev.charlstm.network.LstmShape;
import dev.charlstm.network.LstmWeights;

/**
 * The trained network's forward pass in plain Java, one character at a time, with the LSTM state
 * held outside the network.
 *
 * <p>DL4J's {@code rnnTimeStep} pays several native calls per layer per character and keeps the
 * state inside the (then unshareable) network. Here the weights are immutable float arrays shared
 * by every caller, and each stream carries its own {@link State}: prime text builds up the hidden
 * and cell state, then each step feeds the previous character and the carried state. The
 * embedding lookup and the first layer's input weights fold into one table of per-character gate
 * inputs, so a step costs one recurrent matrix-vector product per layer plus the output layer.
 *
 * <p>The network and its weights are {@link LstmShape} and {@link LstmWeights}, the cell's
 * arithmetic {@link LstmCell}: the same definitions training's engine uses. Only the memory layout
 * is this class's own (a separate array per weight row, which the JIT vectorises best).
 */
final class CharLstm {

    private final int vocabulary;
    private final int hidden;
    private final int layers;
    /** Gate inputs of layer 0 per character: embedding row · W + b, [vocabulary][4·hidden]. */
    private final float[][] firstLayerInput;
    /** Input weights [input][4·hidden] and biases per layer (layer 0's are folded into the table). */
    private final float[][][] inputWeights;
    private final float[][] biases;
    /** Recurrent weights [hidden][4·hidden] per layer. */
    private final float[][][] recurrentWeights;
    /** Output weights [hidden][vocabulary] and bias. */
    private final float[][] outputWeights;
    private final float[] outputBias;

    /** The recurrent state of one stream: hidden and cell vectors per layer. */
    static final class State {
        final float[][] h;
        final float[][] c;

        State(int layers, int hidden) {
            h = new float[layers][hidden];
            c = new float[layers][hidden];
        }

        State copy() {
            State s = new State(h.length, h[0].length);
            for (int l = 0; l < h.length; l++) {
                System.arraycopy(h[l], 0, s.h[l], 0, h[l].length);
                System.arraycopy(c[l], 0, s.c[l], 0, c[l].length);
            }
            return s;
        }
    }

    private CharLstm(int vocabulary, int hidden, float[][] firstLayerInput, float[][][] inputWeights, float[][] biases,
                     float[][][] recurrentWeights, float[][] outputWeights, float[] outputBias) {
        this.vocabulary = vocabulary;
        this.hidden = hidden;
        this.layers = recurrentWeights.length;
        this.firstLayerInput = firstLayerInput;
        this.inputWeights = inputWeights;
        this.biases = biases;
        this.recurrentWeights = recurrentWeights;
        this.outputWeights = outputWeights;
        this.outputBias = outputBias;
    }

    /** A sampler over {@code weights}: the embedding folded into layer 0's input product, the rest copied into rows. */
    static CharLstm from(LstmWeights weights) {
        LstmShape shape = weights.shape();
        int layers = shape.layers();
        int hidden = shape.hidden();
        int g = shape.gates();
        float[][][] inputWeights = new float[layers][][];
        float[][] biases = new float[layers][];
        float[][][] recurrent = new float[layers][][];
        for (int l = 0; l < layers; l++) {
            inputWeights[l] = l == 0 ? null : LstmWeights.rows(weights.inputWeights(l), hidden, g);
            biases[l] = weights.bias(l).clone();
            recurrent[l] = LstmWeights.rows(weights.recurrentWeights(l), hidden, g);
        }
        return new CharLstm(shape.vocabulary(), hidden, weights.firstLayerTable(), inputWeights, biases, recurrent,
                LstmWeights.rows(weights.outputWeights(), hidden, shape.vocabulary()), weights.outputBias().clone());
    }

    State newState() {
        return new State(layers, hidden);
    }

    int vocabulary() {
        return vocabulary;
    }

    int hidden() {
        return hidden;
    }

    int layers() {
        return layers;
    }

    /** Batches at least this wide are split across two cores (see {@link Generator}). */
    static final int PARALLEL_BATCH = 16;

    /** Reusable buffers for {@link #step}: one per calling thread. */
    final class Scratch {
        final float[][] gates;
        /** Working space of {@link FastMath32}, one row per stream, as long as a gate row. */
        final float[][] spare;
        final float[][] inputs;
        /** Buffers for the half of a wide batch that another core computes. */
        final Scratch otherHalf;

        Scratch(int batch, boolean split) {
            gates = new float[batch][4 * hidden];
            spare = new float[batch][4 * hidden];
            inputs = new float[batch][];
            otherHalf = split && batch >= PARALLEL_BATCH ? new Scratch((batch + 1) / 2, false) : null;
        }
    }

    /** Scratch for batches of up to {@code batch}, split across two cores when the machine has them. */
    Scratch scratch(int batch) {
        return scratch(batch, Runtime.getRuntime().availableProcessors() > 1);
    }

    /** Scratch that splits wide batches ({@code split}) or never does, whatever the machine. */
    Scratch scratch(int batch, boolean split) {
        return new Scratch(batch, split);
    }

    /** Feeds one character to one stream, advancing its state, and writes the next character's logits. */
    void step(int character, State state, float[] logits, Scratch scratch) {
        step(1, new int[] {character}, new State[] {state}, new float[][] {logits}, scratch);
    }

    /**
     * Feeds one character to each of {@code n} streams, advancing their states, and writes each
     * stream's next-character logits: one forward step for the whole batch.
     *
     * <p>The weights are walked row by row with every stream's contribution added while the row
     * is in cache, so a step of many streams reads each weight once. Each stream's sums are
     * added in the same order whatever the batch, so a stream's numbers never depend on which
     * other streams share its step.
     */
    void step(int n, int[] characters, State[] states, float[][] logits, Scratch scratch) {
        float[][] gates = scratch.gates;
        float[][] inputs = scratch.inputs;
        for (int l = 0; l < layers; l++) {
            for (int s = 0; s < n; s++) {
                System.arraycopy(l == 0 ? firstLayerInput[characters[s]] : biases[l], 0, gates[s], 0, 4 * hidden);
            }
            if (l > 0) {
                accumulate(n, inputs, inputWeights[l], gates);
            }
            for (int s = 0; s < n; s++) {
                inputs[s] = states[s].h[l];
            }
            accumulate(n, inputs, recurrentWeights[l], gates);
            for (int s = 0; s < n; s++) {
                cell(gates[s], scratch.spare[s], states[s].h[l], states[s].c[l]);
                inputs[s] = states[s].h[l];
            }
        }
        for (int s = 0; s < n; s++) {
            System.arraycopy(outputBias, 0, logits[s], 0, vocabulary);
        }
        accumulate(n, inputs, outputWeights, logits);
    }

    /** The LSTM cell on one stream's gate pre-activations ({@link LstmCell}), advancing h and c in place. */
    private void cell(float[] gates, float[] spare, float[] h, float[] c) {
        LstmCell.activate(gates, 0, 1, hidden, spare);
        LstmCell.updateCell(gates, 0, c, 0, c, 0, hidden);
        System.arraycopy(c, 0, h, 0, hidden);
        FastMath32.tanh(h, 0, hidden, spare);
        LstmCell.hidden(gates, 0, h, 0, h, 0, hidden);
    }

    /**
     * {@code out[s] += x[s] · W} for the first {@code n} streams. Each weight row is read once for
     * all streams while it is in cache, and each output element sums its rows in ascending order
     * with the same float operations whatever the batch, so a stream's numbers never depend on
     * its neighbours. Rows are separate arrays indexed like the output, which lets the JIT turn
     * the inner loop into SIMD instructions (with one array and a row offset it cannot rule out
     * overlap and stays scalar).
     */
    private static void accumulate(int n, float[][] x, float[][] w, float[][] out) {
        for (int i = 0; i < w.length; i++) {
            float[] row = w[i];
            int s = 0;
            // Four streams per pass over the row: each weight loaded once feeds four sums.
            for (; s + 4 <= n; s += 4) {
                axpy4(x[s][i], x[s + 1][i], x[s + 2][i], x[s + 3][i], row,
                        out[s], out[s + 1], out[s + 2], out[s + 3]);
            }
            for (; s < n; s++) {
                axpy(x[s][i], row, out[s]);
            }
        }
    }

    private static void axpy(float a, float[] x, float[] y) {
        for (int j = 0; j < y.length; j++) {
            y[j] += a * x[j];
        }
    }

    private static void axpy4(float a0, float a1, float a2, float a3, float[] x,
                              float[] y0, float[] y1, float[] y2, float[] y3) {
        for (int j = 0; j < x.length; j++) {
            float xj = x[j];
            y0[j] += a0 * xj;
            y1[j] += a1 * xj;
            y2[j] += a2 * xj;
            y3[j] += a3 * xj;
        }
    }
}
