package dev.charlstm.train;

/**
 * Feeds the progress display after every iteration: the loss, the speed, and the iteration the
 * run will probably end at with the time until then.
 */
final class ProgressReport implements TrainingListener, AutoCloseable {

    private final Progress progress;
    private final TrainConfig config;
    private final long startIteration;
    private final long wallStart;
    private final double spentBeforeStart;

    /**
     * @param wallStart        {@link System#nanoTime()} when this run's loop started
     * @param spentBeforeStart seconds of the budget already spent (planning)
     */
    ProgressReport(Progress progress, TrainConfig config, long startIteration, long wallStart,
                   double spentBeforeStart) {
        this.progress = progress;
        this.config = config;
        this.startIteration = startIteration;
        this.wallStart = wallStart;
        this.spentBeforeStart = spentBeforeStart;
    }

    /** A report that shows nothing. */
    static ProgressReport none(TrainConfig config) {
        return new ProgressReport(Progress.create(false, 0, 0), config, 0, System.nanoTime(), 0);
    }

    @Override
    public void onIteration(TrainingState state, double loss) {
        double elapsedThisRun = (System.nanoTime() - wallStart) / 1e9;
        // The time limit often binds before the iteration limit: aim the bar (and its ETA) at whichever comes first.
        double secondsPerIteration = elapsedThisRun / Math.max(1, state.iteration - startIteration);
        long reachable = state.iteration
                + (long) ((config.maxSeconds() - spentBeforeStart - elapsedThisRun) / secondsPerIteration);
        long expectedLast = Math.max(state.iteration, Math.min(config.iterations(), reachable));
        progress.update(state.iteration, expectedLast, loss, state.trainCharsPerSecond(),
                (expectedLast - state.iteration) * secondsPerIteration);
    }

    /** Makes room for a log line. */
    void beforeLog() {
        progress.beforeLog();
    }

    @Override
    public void close() {
        progress.close();
    }
}
