package dev.charlstm.network;

import java.util.Arrays;
import java.util.List;

/**
 * The weights of an {@link LstmShape} network as plain float arrays, row-major, in the shapes
 * {@link LstmShape#tensors()} lists. Immutable by convention: nothing writes into the arrays after
 * construction, so one instance can back any number of samplers.
 *
 * <pre>{@code
 * LstmWeights w = LstmWeights.of(shape, List.of(embedding, input0, recurrent0, bias0, output, outputBias));
 * float[][] table = w.firstLayerTable();     // embedding folded into layer 0's input product
 * }</pre>
 */
public final class LstmWeights {

    private final LstmShape shape;
    private final float[][] tensors;

    private LstmWeights(LstmShape shape, float[][] tensors) {
        this.shape = shape;
        this.tensors = tensors;
    }

    /**
     * @param tensors one array per {@link LstmShape#tensors()} entry, in that order
     * @throws IllegalArgumentException naming the first tensor of the wrong length
     */
    public static LstmWeights of(LstmShape shape, List<float[]> tensors) {
        List<LstmShape.Tensor> expected = shape.tensors();
        if (tensors.size() != expected.size()) {
            throw new IllegalArgumentException("expected " + expected.size() + " weight tensors for " + shape
                    + ", got " + tensors.size());
        }
        float[][] copy = new float[expected.size()][];
        for (int i = 0; i < copy.length; i++) {
            LstmShape.Tensor t = expected.get(i);
            float[] values = tensors.get(i);
            if (values.length != t.size()) {
                throw new IllegalArgumentException("weight tensor " + t.name() + " has " + values.length
                        + " values; [" + t.rows() + " × " + t.cols() + "] needs " + t.size());
            }
            copy[i] = values;
        }
        return new LstmWeights(shape, copy);
    }

    public LstmShape shape() {
        return shape;
    }

    /** The tensors in {@link LstmShape#tensors()} order (the arrays themselves: do not write into them). */
    public List<float[]> tensors() {
        return List.of(tensors);
    }

    public float[] embedding() {
        return tensors[0];
    }

    public float[] inputWeights(int layer) {
        return tensors[1 + 3 * layer];
    }

    public float[] recurrentWeights(int layer) {
        return tensors[2 + 3 * layer];
    }

    public float[] bias(int layer) {
        return tensors[3 + 3 * layer];
    }

    public float[] outputWeights() {
        return tensors[1 + 3 * shape.layers()];
    }

    public float[] outputBias() {
        return tensors[2 + 3 * shape.layers()];
    }

    /**
     * Layer 0's gate pre-activations per character before the recurrent term: embedding row ·
     * input weights + bias, [vocabulary][4·hidden]. Layer 0 only ever sees embedding rows, so its
     * input product is a lookup in this table.
     */
    public float[][] firstLayerTable() {
        int g = shape.gates();
        int e = shape.embedding();
        float[] emb = embedding();
        float[] w = inputWeights(0);
        float[] b = bias(0);
        float[][] table = new float[shape.vocabulary()][];
        for (int v = 0; v < table.length; v++) {
            float[] row = b.clone();
            for (int i = 0; i < e; i++) {
                float x = emb[v * e + i];
                int off = i * g;
                for (int j = 0; j < g; j++) {
                    row[j] += x * w[off + j];
                }
            }
            table[v] = row;
        }
        return table;
    }

    /** A row-major matrix as separate row arrays, as the sampler walks them. */
    public static float[][] rows(float[] matrix, int rows, int cols) {
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(matrix, r * cols, (r + 1) * cols);
        }
        return out;
    }
}
