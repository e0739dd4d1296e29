package dev.charlstm.train;

import dev.charlstm.model.ParameterLayout;

/**
 * A slow, plain, double-precision forward pass of the embedding → LSTM × n → softmax network,
 * written from the equations and the parameter layout alone, to check the engines against.
 *
 * <p>It reads DL4J's flattened parameter vector through {@link ParameterLayout}, takes the dropout
 * masks as given (so a gradient with dropout on can be checked with the masks held fixed), starts
 * from a given recurrent state and leaves the state it ends in. Its gradients are central
 * differences, which in double precision are accurate to many digits on networks this small.
 */
final class ReferenceLstm {

    private final ParameterLayout p;

    ReferenceLstm(ParameterLayout layout) {
        this.p = layout;
    }

    /** Per layer, per batch row, the hidden and cell state: [layer][row][unit]. */
    record State(double[][][] h, double[][][] c) {
        static State zero(ParameterLayout p, int rows) {
            return new State(new double[p.layers()][rows][p.hidden()], new double[p.layers()][rows][p.hidden()]);
        }

        State copy() {
            double[][][] h2 = new double[h.length][][];
            double[][][] c2 = new double[c.length][][];
            for (int l = 0; l < h.length; l++) {
                h2[l] = new double[h[l].length][];
                c2[l] = new double[c[l].length][];
                for (int r = 0; r < h[l].length; r++) {
                    h2[l][r] = h[l][r].clone();
                    c2[l][r] = c[l][r].clone();
                }
            }
            return new State(h2, c2);
        }
    }

    /** The masks of one segment in {@link DropoutMasks}' layout, drawn as the engines draw them. */
    record Masks(float[][] layers, float[] output) {
        static Masks draw(ParameterLayout p, long seed, int rows, int steps) {
            float[][] layers = new float[p.layers()][];
            for (int l = 1; l < p.layers(); l++) {
                layers[l] = new float[steps * rows * p.hidden()];
            }
            float[] output = new float[steps * rows * p.hidden()];
            DropoutMasks.draw(seed, 0, rows, steps, p.hidden(), p.keepInput(), p.keepOutput(), layers, output);
            return new Masks(layers, output);
        }
    }

    /**
     * The summed cross-entropy of a segment, in nats, from {@code state}, which is advanced to the
     * segment's end.
     */
    double loss(double[] params, int[][] inputs, int[][] targets, int steps, Masks masks, State state) {
        int rows = inputs.length;
        int h = p.hidden();
        int v = p.vocabulary();
        double total = 0;
        for (int t = 0; t < steps; t++) {
            for (int r = 0; r < rows; r++) {
                double[] below = embedding(params, inputs[r][t]);
                for (int l = 0; l < p.layers(); l++) {
                    double[] in = below;
                    if (l > 0) {
                        in = new double[h];
                        for (int k = 0; k < h; k++) {
                            in[k] = below[k] * masks.layers()[l][(t * rows + r) * h + k];
                        }
                    }
                    below = cell(params, l, in, state, r);
                }
                double[] logits = new double[v];
                double max = Double.NEGATIVE_INFINITY;
                ParameterLayout.Matrix w = p.outputWeights();
                for (int o = 0; o < v; o++) {
                    double z = params[p.outputBias().offset() + o];
                    for (int k = 0; k < h; k++) {
                        z += params[w.offset() + o * h + k] * below[k] * masks.output()[(t * rows + r) * h + k];
                    }
                    logits[o] = z;
                    max = Math.max(max, z);
                }
                double sum = 0;
                for (double z : logits) {
                    sum += Math.exp(z - max);
                }
                total += Math.log(sum) + max - logits[targets[r][t]];
            }
        }
        return total;
    }

    private double[] embedding(double[] params, int id) {
        ParameterLayout.Matrix e = p.embeddingWeights(); // row-major [E][V]
        double[] x = new double[p.embedding()];
        for (int k = 0; k < x.length; k++) {
            x[k] = params[e.offset() + k * p.vocabulary() + id];
        }
        return x;
    }

    /** One LSTM step of layer {@code l} for batch row {@code r}; gates in DL4J's order. */
    private double[] cell(double[] params, int l, double[] in, State state, int r) {
        int h = p.hidden();
        ParameterLayout.Matrix w = p.inputWeights().get(l);
        ParameterLayout.Matrix rw = p.recurrentWeights().get(l);
        int bias = p.biases().get(l).offset();
        double[] prevH = state.h()[l][r];
        double[] prevC = state.c()[l][r];
        double[] z = new double[4 * h];
        for (int g = 0; g < 4 * h; g++) {
            double sum = params[bias + g];
            for (int i = 0; i < in.length; i++) {
                sum += params[w.offset() + g * in.length + i] * in[i];
            }
            for (int j = 0; j < h; j++) {
                sum += params[rw.offset() + g * h + j] * prevH[j];
            }
            z[g] = sum;
        }
        double[] nextH = new double[h];
        double[] nextC = new double[h];
        for (int k = 0; k < h; k++) {
            double block = Math.tanh(z[k]);
            double forget = sigmoid(z[h + k]);
            double output = sigmoid(z[2 * h + k]);
            double input = sigmoid(z[3 * h + k]);
            nextC[k] = forget * prevC[k] + input * block;
            nextH[k] = output * Math.tanh(nextC[k]);
        }
        state.h()[l][r] = nextH;
        state.c()[l][r] = nextC;
        return nextH;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /**
     * d(summed loss)/d(parameter) by central differences, from a copy of {@code state}; the
     * engines' gradient is this times 1/sequence length.
     */
    double[] gradient(double[] params, int[] indices, int[][] inputs, int[][] targets, int steps, Masks masks,
                      State state) {
        double[] g = new double[indices.length];
        double[] moved = params.clone();
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            double delta = 1e-5 * Math.max(1, Math.abs(params[i]));
            moved[i] = params[i] + delta;
            double up = loss(moved, inputs, targets, steps, masks, state.copy());
            moved[i] = params[i] - delta;
            double down = loss(moved, inputs, targets, steps, masks, state.copy());
            moved[i] = params[i];
            g[k] = (up - down) / (2 * delta);
        }
        return g;
    }

    static double[] toDouble(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return d;
    }
}
