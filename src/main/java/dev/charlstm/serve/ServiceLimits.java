package dev.charlstm.serve;

/**
 * What one request may ask for, and how much work the service admits at once.
 *
 * @param maxBodyBytes   largest request body
 * @param maxLength      largest {@code length}
 * @param maxCount       largest {@code count}
 * @param maxPrimeChars  longest prime
 * @param maxStops       most stop strings, each at most {@link #MAX_STOP_CHARS} characters
 * @param maxScoreChars  longest text to score
 * @param maxBatch       samples advanced together in one forward step, per model
 * @param maxQueued      requests admitted per model (running or waiting) before answering 429
 */
record ServiceLimits(int maxBodyBytes, int maxLength, int maxCount, int maxPrimeChars, int maxStops,
                     int maxScoreChars, int maxBatch, int maxQueued) {

    static final int MAX_STOP_CHARS = 64;

    static ServiceLimits defaults() {
        return new ServiceLimits(256 * 1024, 10_000, 16, 10_000, 8, 200_000, 64, 256);
    }
}
