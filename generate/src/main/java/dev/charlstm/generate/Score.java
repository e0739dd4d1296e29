package dev.charlstm.generate;

/**
 * How well a model predicts a text: the mean cross-entropy of each character given all before it.
 *
 * @param chars    characters predicted (the text's length after folding, minus the first)
 * @param lossNats mean loss in nats per character
 */
public record Score(int chars, double lossNats) {

    /** The same loss in bits per character. */
    public double bitsPerChar() {
        return lossNats / Math.log(2);
    }
}
