package dev.charlstm.generate;

/**
 * One generated text.
 *
 * @param prime      the prime as the model read it (after folding onto its vocabulary)
 * @param text       the generated continuation, without the prime
 * @param seed       the seed this sample was drawn with
 * @param stoppedBy  the stop string that ended it, or null when it reached the requested length
 */
public record Sample(String prime, String text, long seed, String stoppedBy) {

    /** Prime and continuation together. */
    public String fullText() {
        return prime + text;
    }
}
