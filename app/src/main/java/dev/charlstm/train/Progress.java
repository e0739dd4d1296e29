package dev.charlstm.train;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows how far training is: a live bar with ETA, loss and characters/second on a terminal, or a
 * log line every few seconds when the output goes to a file or pipe (where a redrawn bar would be
 * noise).
 */
abstract class Progress implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Progress.class);

    /** A bar on an interactive terminal, periodic log lines otherwise, nothing when disabled. */
    static Progress create(boolean enabled, long startIteration, long maxIterations) {
        if (!enabled) {
            return new Progress() {
                @Override
                void update(long iteration, long expectedLast, double loss, double charsPerSecond, double eta) { }
            };
        }
        return System.console() != null ? new Bar(startIteration, maxIterations) : new Lines();
    }

    /**
     * @param expectedLast the iteration training will probably end at (iteration or time limit)
     * @param eta          seconds until then
     */
    abstract void update(long iteration, long expectedLast, double loss, double charsPerSecond, double eta);

    /** The estimate moves this much (as a fraction of the total shown) before the total shown changes. */
    static final double TOTAL_HYSTERESIS = 0.10;

    /**
     * The total to show: the last one shown, unless the new estimate of the last iteration is more
     * than {@link #TOTAL_HYSTERESIS} away from it or it is already behind. The estimate from a
     * time limit follows every wobble of the iteration rate, and a total that jumps with it
     * (3/20, 11/17, 20/21) says nothing.
     */
    static long stableTotal(long shown, long estimate, long iteration) {
        if (shown <= 0 || shown < iteration || Math.abs(estimate - shown) > TOTAL_HYSTERESIS * shown) {
            return Math.max(estimate, iteration);
        }
        return shown;
    }

    /** Iterations per second as the bar shows it: one decimal with its leading zero ("0.2/s", not ".2/s"). */
    static String rate(double perSecond) {
        return SPEED.format(perSecond);
    }

    private static final DecimalFormat SPEED = new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT));

    /** Makes room for a log line. */
    void beforeLog() { }

    @Override
    public void close() { }

    private static final class Bar extends Progress {
        private final PrintStream err = System.err;
        private final ProgressBar bar;

        Bar(long start, long max) {
            bar = new ProgressBarBuilder()
                    .setTaskName("train")
                    .setInitialMax(max)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(250)
                    .startsFrom(start, Duration.ZERO)
                    .setConsumer(new ConsoleProgressBarConsumer(err))
                    .showSpeed((DecimalFormat) SPEED.clone())
                    .build();
            total = max;
        }

        private long total;

        @Override
        void update(long iteration, long expectedLast, double loss, double charsPerSecond, double eta) {
            total = stableTotal(total, expectedLast, iteration);
            bar.maxHint(total);
            bar.stepTo(iteration);
            bar.setExtraMessage(String.format(" loss %.3f | %,.0f chars/s", loss, charsPerSecond));
        }

        @Override
        void beforeLog() {
            err.print("\r\u001b[2K");
            err.flush();
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private static final class Lines extends Progress {
        private static final long EVERY_NANOS = 10_000_000_000L;
        private long lastNanos = System.nanoTime();
        private long total;

        @Override
        void update(long iteration, long expectedLast, double loss, double charsPerSecond, double eta) {
            total = stableTotal(total, expectedLast, iteration);
            if (System.nanoTime() - lastNanos >= EVERY_NANOS) {
                lastNanos = System.nanoTime();
                log.info("iteration {}/{} ({}%): loss {} | {} chars/s | ETA {}", iteration, total,
                        total == 0 ? 0 : 100 * iteration / total, String.format("%.3f", loss),
                        String.format("%,.0f", charsPerSecond), Duration.ofSeconds(Math.round(eta))
                                .toString().substring(2).toLowerCase());
            }
        }
    }
}
