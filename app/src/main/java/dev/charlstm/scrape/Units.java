package dev.charlstm.scrape;

import java.time.Duration;

/** Human wording of sizes and durations for one-line error messages. */
final class Units {

    private static final int KB = 1024;
    private static final int MB = 1024 * KB;

    private Units() {}

    static String bytes(long n) {
        if (n >= MB && n % MB == 0) {
            return n / MB + " MB";
        }
        if (n >= KB && n % KB == 0) {
            return n / KB + " KB";
        }
        return n + " bytes";
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
