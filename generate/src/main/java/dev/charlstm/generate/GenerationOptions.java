package dev.charlstm.generate;

import java.util.List;
import java.util.Objects;

/**
 * How to generate: prime text, length, randomness and when to stop. Immutable; every value is
 * checked when built, and a bad one is an {@link IllegalArgumentException} naming the option.
 *
 * <pre>{@code
 * GenerationOptions options = GenerationOptions.builder()
 *         .prime("Where can I get tested?\n")
 *         .length(300)
 *         .temperature(0.7)
 *         .topP(0.95)
 *         .seed(42L)
 *         .build();
 * }</pre>
 *
 * @param prime       text the model reads before generating; at least one character
 * @param length      characters to generate per sample, at most {@link #MAX_LENGTH}
 * @param temperature 0 picks the most likely character; 1 samples the model's distribution;
 *                    higher is more random
 * @param topK        sample only among the k most likely characters (0 = no limit)
 * @param topP        sample only among the most likely characters whose probabilities add up
 *                    to p, in (0, 1] (1 = no limit); with a top-k, p is a share of the top k
 *                    renormalised (top-k first, then top-p)
 * @param seed        the same seed and options give the same text; null draws a fresh seed
 * @param count       samples generated together as one batch; sample i uses seed + i
 * @param stop        generation of a sample ends when its text ends with one of these (the
 *                    stop string itself is left out)
 */
public record GenerationOptions(String prime, int length, double temperature, int topK, double topP, Long seed,
                                int count, List<String> stop) {

    public static final int MAX_LENGTH = 1_000_000;
    public static final int MAX_COUNT = 1024;
    public static final double MAX_TEMPERATURE = 100;

    public GenerationOptions {
        Objects.requireNonNull(prime, "prime");
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (prime.isEmpty()) {
            throw new IllegalArgumentException("prime must have at least one character");
        }
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("length must be in [0, " + MAX_LENGTH + "], got " + length);
        }
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw new IllegalArgumentException("temperature must be in [0, " + (int) MAX_TEMPERATURE + "], got "
                    + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 = no limit), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count must be in [1, " + MAX_COUNT + "], got " + count);
        }
        for (String s : stop) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    /** Defaults: prime "Th", 200 characters, temperature 0.8, no top-k/top-p, random seed, one sample. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().prime(prime).length(length).temperature(temperature).topK(topK).topP(topP).seed(seed)
                .count(count).stop(stop);
    }

    /** Builds {@link GenerationOptions}; see the record's parameters for what each value means. */
    public static final class Builder {
        private String prime = "Th";
        private int length = 200;
        private double temperature = 0.8;
        private int topK = 0;
        private double topP = 1.0;
        private Long seed;
        private int count = 1;
        private List<String> stop = List.of();

        private Builder() {}

        public Builder prime(String prime) { this.prime = prime; return this; }
        public Builder length(int length) { this.length = length; return this; }
        public Builder temperature(double temperature) { this.temperature = temperature; return this; }
        public Builder topK(int topK) { this.topK = topK; return this; }
        public Builder topP(double topP) { this.topP = topP; return this; }
        public Builder seed(Long seed) { this.seed = seed; return this; }
        public Builder count(int count) { this.count = count; return this; }
        public Builder stop(List<String> stop) { this.stop = stop; return this; }

        public GenerationOptions build() {
            return new GenerationOptions(prime, length, temperature, topK, topP, seed, count, stop);
        }
    }
}
