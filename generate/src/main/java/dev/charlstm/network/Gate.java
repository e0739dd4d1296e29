package dev.charlstm.network;

/**
 * The four blocks of an LSTM layer's gate pre-activations, in the order DL4J lays them out in its
 * weights ({@code W}, {@code RW}, {@code b}: each {@code 4·hidden} wide) and in which the plain
 * weights entry of {@code model.zip} keeps them.
 *
 * <pre>{@code
 * int forget = Gate.FORGET.offset(hidden);   // columns [hidden, 2·hidden) of a gate row
 * }</pre>
 */
public enum Gate {
    /** The candidate cell input, squashed by tanh. */
    BLOCK_INPUT,
    /** How much of the previous cell state to keep (sigmoid). */
    FORGET,
    /** How much of tanh(cell) to let out as the hidden state (sigmoid). */
    OUTPUT,
    /** How much of the block input to write into the cell (sigmoid). */
    INPUT;

    /** Where this gate's block starts in a gate row of a layer with {@code hidden} units. */
    public int offset(int hidden) {
        return ordinal() * hidden;
    }

    /** The width of a gate row: all four blocks. */
    public static int width(int hidden) {
        return values().length * hidden;
    }
}
