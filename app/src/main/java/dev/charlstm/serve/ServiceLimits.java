package dev.charlstm.serve;

/**
 * What one request may ask for, and how much work the service admits at once.
 *
 * @param maxBodyBytes   largest request body, however it is framed (Content-Length or chunked)
 * @param maxLength      largest {@code length}
 * @param maxCount       largest {@code count}
 * @param maxPrimeChars  longest prime
 * @param maxStops       most stop strings, each at most {@link #MAX_STOP_CHARS} characters
 * @param maxScoreChars  longest text to score
 * @param maxBatch       samples advanced together in one forward step, per model
 * @param maxQueued      requests admitted per model (running or waiting) before answering 429
 * @param maxPerClient   requests one remote address may have in progress before answering 429
 * @param maxScoring     score requests admitted at once (running or waiting), all models
 * @param requestThreads size of the HTTP server's thread pool; streams and waiting requests hold
 *                       none of its threads, so this only bounds the work of reading and writing
 * @param idleTimeoutMs  a connection that neither sends nor accepts a byte for this long is closed
 */
record ServiceLimits(int maxBodyBytes, int maxLength, int maxCount, int maxPrimeChars, int maxStops,
                     int maxScoreChars, int maxBatch, int maxQueued, int maxPerClient, int maxScoring,
                     int requestThreads, int idleTimeoutMs) {

    static final int MAX_STOP_CHARS = 64;

    /** The limits of generation alone, with the defaults for the rest. */
    ServiceLimits(int maxBodyBytes, int maxLength, int maxCount, int maxPrimeChars, int maxStops,
                  int maxScoreChars, int maxBatch, int maxQueued) {
        this(maxBodyBytes, maxLength, maxCount, maxPrimeChars, maxStops, maxScoreChars, maxBatch, maxQueued,
                64, 2 * Runtime.getRuntime().availableProcessors() + 4, 64, 30_000);
    }

    static ServiceLimits defaults() {
        // A score costs about what generating its text costs, so it has the same length cap.
        return new ServiceLimits(256 * 1024, 10_000, 16, 10_000, 8, 10_000, 64, 256);
    }

    ServiceLimits withAdmission(int batch, int queued, int perClient) {
        return new ServiceLimits(maxBodyBytes, maxLength, maxCount, maxPrimeChars, maxStops, maxScoreChars, batch,
                queued, perClient, maxScoring, requestThreads, idleTimeoutMs);
    }

    ServiceLimits withServer(int threads, int idleMs) {
        return new ServiceLimits(maxBodyBytes, maxLength, maxCount, maxPrimeChars, maxStops, maxScoreChars,
                maxBatch, maxQueued, maxPerClient, maxScoring, threads, idleMs);
    }
}
