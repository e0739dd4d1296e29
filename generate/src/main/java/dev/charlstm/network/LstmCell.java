package dev.charlstm.network;

/**
 * The LSTM cell's arithmetic on gate rows laid out as {@link Gate} says (DL4J's LSTM without
 * peepholes): block input {@code a = tanh(z_a)}, gates {@code f, o, i = sigmoid(z)},
 * {@code c = f∘c' + i∘a}, {@code h = o∘tanh(c)}.
 *
 * <p>Training's BLAS engine applies it to a whole time step of batch rows at once, the sampler to
 * one stream; both call these methods, so the cell is computed the same way in both (their matrix
 * products add in different orders, so the two agree to rounding: {@code EngineMatchesSamplerTest}
 * in the application compares them). All four blocks go through
 * one vectorised sigmoid: the block input as {@code tanh(u) = 2·sigmoid(2u) - 1}.
 *
 * <pre>{@code
 * LstmCell.activate(gates, 0, 1, hidden, scratch);               // pre-activations → activations
 * LstmCell.updateCell(gates, 0, c, 0, c, 0, hidden);               // c = f∘c + i∘a, in place
 * System.arraycopy(c, 0, tanhC, 0, hidden);
 * FastMath32.tanh(tanhC, 0, hidden, scratch);
 * LstmCell.hidden(gates, 0, tanhC, 0, h, 0, hidden);               // h = o∘tanh(c)
 * }</pre>
 */
public final class LstmCell {

    private LstmCell() {}

    /**
     * Turns {@code rows} consecutive gate rows of pre-activations, starting at {@code from}, into
     * activations in place: tanh on the block input, sigmoid on the three gates.
     *
     * @param scratch working space of {@link FastMath32}, at least {@code from + rows·4·hidden} long
     */
    public static void activate(float[] z, int from, int rows, int hidden, float[] scratch) {
        int width = Gate.width(hidden);
        int a = Gate.BLOCK_INPUT.offset(hidden);
        for (int r = 0; r < rows; r++) {
            int row = from + r * width + a;
            for (int k = 0; k < hidden; k++) {
                z[row + k] *= 2f;
            }
        }
        FastMath32.sigmoid(z, from, rows * width, scratch);
        for (int r = 0; r < rows; r++) {
            int row = from + r * width + a;
            for (int k = 0; k < hidden; k++) {
                z[row + k] = 2f * z[row + k] - 1f;
            }
        }
    }

    /**
     * The new cell state of one row: {@code cNext = f∘cPrev + i∘a} from the activated gate row at
     * {@code gate}. {@code cPrev} and {@code cNext} may be the same array at the same offset.
     */
    public static void updateCell(float[] gates, int gate, float[] cPrev, int prev, float[] cNext, int next,
                                  int hidden) {
        int a = gate + Gate.BLOCK_INPUT.offset(hidden);
        int f = gate + Gate.FORGET.offset(hidden);
        int i = gate + Gate.INPUT.offset(hidden);
        for (int k = 0; k < hidden; k++) {
            cNext[next + k] = gates[f + k] * cPrev[prev + k] + gates[i + k] * gates[a + k];
        }
    }

    /** The hidden state of one row: {@code h = o∘tanh(c)}, from the activated gate row and tanh(c). */
    public static void hidden(float[] gates, int gate, float[] tanhCell, int cell, float[] h, int out, int hidden) {
        int o = gate + Gate.OUTPUT.offset(hidden);
        for (int k = 0; k < hidden; k++) {
            h[out + k] = gates[o + k] * tanhCell[cell + k];
        }
    }
}
