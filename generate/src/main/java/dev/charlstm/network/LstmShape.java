package dev.charlstm.network;

import java.util.ArrayList;
import java.util.List;

/**
 * The one network charlstm trains and samples: a character embedding (no bias) → {@code layers}
 * LSTM layers of {@code hidden} units → a softmax over the vocabulary. Training's engines, the
 * sampler and the plain weights entry of {@code model.zip} all describe their weights through it.
 *
 * <pre>{@code
 * LstmShape shape = new LstmShape(98, 64, 256, 2);
 * shape.parameters();                 // how many floats the network has
 * shape.tensors();                    // every weight, named and shaped, in storage order
 * }</pre>
 *
 * @param vocabulary characters the model reads and writes
 * @param embedding  width of a character's embedding row
 * @param hidden     units per LSTM layer
 * @param layers     LSTM layers
 */
public record LstmShape(int vocabulary, int embedding, int hidden, int layers) {

    /** The largest of each dimension a model may have: far above what trains here, low enough that sizes fit an int. */
    public static final int MAX_VOCABULARY = 1 << 16;
    public static final int MAX_WIDTH = 1 << 14;
    public static final int MAX_LAYERS = 64;

    /** @throws IllegalArgumentException naming the dimension that is out of range */
    public LstmShape {
        check(vocabulary, 2, MAX_VOCABULARY, "vocabulary");
        check(embedding, 1, MAX_WIDTH, "embedding width");
        check(hidden, 1, MAX_WIDTH, "hidden size");
        check(layers, 1, MAX_LAYERS, "layer count");
    }

    /** The width of a gate row, {@code 4·hidden} ({@link Gate}). */
    public int gates() {
        return Gate.width(hidden);
    }

    /** A weight of the network: its name in the plain weights entry and its row-major shape. */
    public record Tensor(String name, int rows, int cols) {
        public long size() {
            return (long) rows * cols;
        }
    }

    /**
     * Every weight in storage order: the embedding [vocabulary × embedding]; per LSTM layer its
     * input weights [input × 4·hidden], recurrent weights [hidden × 4·hidden] and bias
     * [1 × 4·hidden]; the output weights [hidden × vocabulary] and bias [1 × vocabulary]. Matrices
     * are {@code x·W} shaped: a row per input unit.
     */
    public List<Tensor> tensors() {
        List<Tensor> t = new ArrayList<>();
        t.add(new Tensor("embedding", vocabulary, embedding));
        for (int l = 0; l < layers; l++) {
            t.add(new Tensor("lstm." + l + ".input", l == 0 ? embedding : hidden, gates()));
            t.add(new Tensor("lstm." + l + ".recurrent", hidden, gates()));
            t.add(new Tensor("lstm." + l + ".bias", 1, gates()));
        }
        t.add(new Tensor("output", hidden, vocabulary));
        t.add(new Tensor("output.bias", 1, vocabulary));
        return List.copyOf(t);
    }

    /** All the network's floats. */
    public long parameters() {
        return tensors().stream().mapToLong(Tensor::size).sum();
    }

    private static void check(int value, int min, int max, String what) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("the network's " + what + " is " + value + "; it must be "
                    + min + " to " + max);
        }
    }
}
