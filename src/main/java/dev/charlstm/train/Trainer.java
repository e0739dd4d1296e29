package dev.charlstm.train;

import dev.charlstm.corpus.ChunkSampler;
import dev.charlstm.corpus.Corpus;
import dev.charlstm.corpus.TextNormalizer;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.model.Backend;
import dev.charlstm.model.LossEvaluator;
import dev.charlstm.model.ModelFile;
import dev.charlstm.model.ModelMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: random chunks → truncated-BPTT fit → periodic validation, sample and
 * checkpoint → best model, metrics and loss chart.
 *
 * <p>Stops at the iteration limit, the time limit, when validation stops improving for
 * {@code patience} evaluations, when the loss stops being finite, or when {@link #requestStop()}
 * is called (Ctrl-C). Every stop writes a checkpoint first.
 */
final class Trainer {

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    /** How a run ended. */
    enum Outcome { ITERATIONS, TIME_LIMIT, EARLY_STOP, INTERRUPTED, DIVERGED }

    private final TrainConfig config;
    private final Corpus corpus;
    private final String corpusSource;
    private final TrainingOutput output;
    private final MultiLayerNetwork net;
    private final TrainingState state;
    private final boolean showProgress;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);
    private INDArray bestParams;
    private Progress progress = Progress.create(false, 0, 0);

    Trainer(TrainConfig config, Corpus corpus, String corpusSource, TrainingOutput output,
            MultiLayerNetwork net, TrainingState state, boolean showProgress) {
        this.config = config;
        this.corpus = corpus;
        this.corpusSource = corpusSource;
        this.output = output;
        this.net = net;
        this.state = state;
        this.showProgress = showProgress;
    }

    /** Asks the loop to checkpoint and stop after the current iteration. */
    void requestStop() {
        stopRequested = true;
    }

    /** Waits for {@link #run()} to finish writing, e.g. from a shutdown hook. */
    boolean awaitFinished(long seconds) throws InterruptedException {
        return finished.await(seconds, TimeUnit.SECONDS);
    }

    Result run() throws IOException {
        try {
            return loop();
        } finally {
            finished.countDown();
        }
    }

    /** What a finished run reports. */
    record Result(Outcome outcome, TrainingState state, Path model) {}

    private Result loop() throws IOException {
        Corpus.Split split = corpus.split(config.validationFraction());
        ChunkSampler sampler = new ChunkSampler(split.train(), corpus.vocabulary().size(),
                config.chunkLength(), config.batchSize());
        if (split.validation().length < 2) {
            throw new IllegalArgumentException("the validation split has " + split.validation().length
                    + " characters; the corpus is too short to validate on");
        }
        if (config.engine().equals("blas") && !engine().equals("blas")) {
            log.info("Engine 'blas' {}; training with DL4J's LSTM layer instead", config.workers() > 1
                    ? "runs one worker" : "runs on the CPU and the backend is " + Backend.name());
        }
        log.info("Training on {} characters ({} for validation), backend {}, engine {}, {} thread(s), {} worker(s); "
                + "from iteration {}", split.train().length, split.validation().length, Backend.name(), engine(),
                engineThreads(), config.workers(), state.iteration);
        long wallStart = System.nanoTime();
        double wallBefore = state.wallSeconds;
        Outcome outcome;
        try (Progress progress = Progress.create(showProgress, state.iteration, config.iterations())) {
            this.progress = progress;
            outcome = fitUntilStopped(split, sampler, wallStart, wallBefore);
            state.wallSeconds = wallBefore + (System.nanoTime() - wallStart) / 1e9;
            TrainingState.Evaluation last = state.lastEvaluation();
            if (outcome != Outcome.DIVERGED && (last == null || last.iteration() != state.iteration)) {
                evaluateAndCheckpoint(split, lastTrainLoss());
            }
        } finally {
            this.progress = Progress.create(false, 0, 0);
        }
        // This run's seconds (what --max-seconds limits); a resumed model's total comes after it.
        long thisRun = Math.round(state.wallSeconds - wallBefore);
        log.info("Stopped: {} after {} iterations, {} s{} ({} training characters/s)", describe(outcome),
                state.iteration, thisRun, wallBefore > 0 ? " this run, " + Math.round(state.wallSeconds) + " s in total"
                        : "", Math.round(state.trainCharsPerSecond()));
        Path model = writeFinalModel();
        output.writeMetrics(config, state, corpus, corpusSource, outcome.name().toLowerCase(), engine(), engineThreads());
        drawLossChart();
        return new Result(outcome, state, model);
    }

    private Outcome fitUntilStopped(Corpus.Split split, ChunkSampler sampler, long wallStart, double wallBefore)
            throws IOException {
        if (engine().equals("blas")) {
            try (BlasTraining blas = new BlasTraining(net, config.batchSize(), config.tbpttLength(), engineThreads())) {
                return fitLoop(split, wallStart, wallBefore,
                        iteration -> blas.fit(sampler.windows(config.seed(), iteration), config.seed() + iteration));
            }
        }
        SegmentLoss segmentLoss = new SegmentLoss();
        net.setListeners(segmentLoss);
        if (config.workers() > 1) {
            try (DataParallel parallel = new DataParallel(net, config.workers(), segmentLoss)) {
                return fitLoop(split, wallStart, wallBefore, iteration -> {
                    segmentLoss.reset();
                    Nd4j.getRandom().setSeed(config.seed() + iteration);
                    parallel.fit(sampler, config.seed(), iteration);
                    return segmentLoss.mean();
                });
            }
        }
        return fitLoop(split, wallStart, wallBefore, iteration -> {
            segmentLoss.reset();
            Nd4j.getRandom().setSeed(config.seed() + iteration); // dropout masks follow the iteration
            net.fit(sampler.batch(config.seed(), iteration));
            return segmentLoss.mean();
        });
    }

    /** The engine that runs: the BLAS engine is CPU code, and data-parallel workers each run DL4J's own fit. */
    private String engine() {
        return config.engine().equals("blas") && config.workers() == 1 && Backend.name().equals("cpu") ? "blas" : "dl4j";
    }

    /** Batch shards of the BLAS engine, or ND4J's threads. */
    private int engineThreads() {
        return engine().equals("blas") ? blasThreads(config, Runtime.getRuntime().availableProcessors()) : Backend.threads();
    }

    /**
     * Unless configured, one shard per core, but none thinner than {@value #MIN_SHARD_ROWS} rows:
     * below that a matrix product per time step costs about as much as a wider one.
     */
    static int blasThreads(TrainConfig config, int cores) {
        if (config.threads() > 0) {
            return config.threads();
        }
        return Math.max(1, Math.min(cores, config.batchSize() / MIN_SHARD_ROWS));
    }

    static final int MIN_SHARD_ROWS = 16;

    /** One training iteration (a batch of chunks); returns its mean per-character loss. */
    @FunctionalInterface
    private interface Iteration {
        double fit(long iteration);
    }

    /** Iterations until a stop condition. */
    private Outcome fitLoop(Corpus.Split split, long wallStart, double wallBefore, Iteration fit) throws IOException {
        long startIteration = state.iteration;
        while (true) {
            double elapsed = (System.nanoTime() - wallStart) / 1e9;
            if (state.iteration >= config.iterations()) {
                return Outcome.ITERATIONS;
            } else if (elapsed >= config.maxSeconds()) {
                return Outcome.TIME_LIMIT;
            } else if (stopRequested) {
                return Outcome.INTERRUPTED;
            }
            long fitStart = System.nanoTime();
            double loss = fit.fit(state.iteration);
            state.trainSeconds += (System.nanoTime() - fitStart) / 1e9;
            if (!Double.isFinite(loss)) {
                progress.beforeLog();
                log.error("The training loss became {} at iteration {}; stopping. The last good checkpoint "
                        + "(iteration {}) is kept.", loss, state.iteration + 1, lastCheckpointIteration());
                return Outcome.DIVERGED;
            }
            state.iteration++;
            state.trainedChars += (long) config.batchSize() * config.chunkLength() * config.workers();
            state.trainCurve.add(new TrainingState.Point(state.iteration, round4(loss)));
            state.wallSeconds = wallBefore + (System.nanoTime() - wallStart) / 1e9;
            report(startIteration, loss, (System.nanoTime() - wallStart) / 1e9);
            if (state.iteration % config.evalEvery() == 0 && evaluateAndCheckpoint(split, loss)) {
                return Outcome.EARLY_STOP;
            }
        }
    }

    /** Samples through the public library from the checkpoint just written, exactly as users will. */
    private String sampleFrom(Path checkpoint) {
        try {
            GenerationOptions options = GenerationOptions.builder().prime(config.samplePrime())
                    .length(config.sampleLength()).temperature(config.sampleTemperature())
                    .seed(config.seed() + state.iteration).build();
            return Generator.load(checkpoint).generate(options).get(0).fullText();
        } catch (java.io.IOException | IllegalArgumentException e) {
            return "(no sample: " + e.getMessage() + ")";
        }
    }

    private void drawLossChart() {
        try {
            LossChart.write(output.lossChart(), state, "charlstm " + config.name());
        } catch (IOException | RuntimeException e) {
            log.warn("Could not draw {}: {}", output.lossChart(), e.toString());
        }
    }

    private double lastTrainLoss() {
        return state.trainCurve.isEmpty() ? Double.NaN : state.trainCurve.get(state.trainCurve.size() - 1).loss();
    }

    /** Validates, logs a sample and checkpoints; returns true when patience has run out. */
    private boolean evaluateAndCheckpoint(Corpus.Split split, double trainLoss) throws IOException {
        double val = LossEvaluator.nats(net, split.validation(), config.batchSize(), config.tbpttLength());
        state.evaluations.add(new TrainingState.Evaluation(state.iteration, round4(state.wallSeconds),
                round4(trainLoss), round4(val)));
        boolean improved = state.bestValLoss == null || val < state.bestValLoss;
        if (improved) {
            state.bestValLoss = val;
            state.bestIteration = state.iteration;
            state.evalsSinceBest = 0;
            bestParams = net.params().dup();
        } else {
            state.evalsSinceBest++;
        }
        output.saveCheckpoint(output.latestCheckpoint(), net, metadata(val), state);
        if (improved) {
            output.saveCheckpoint(output.bestCheckpoint(), net, metadata(val), state);
        }
        drawLossChart(); // redrawn at every validation, so loss.png shows a run in progress too
        progress.beforeLog();
        log.info("iteration {}: train {} | validation {} nats/char = {} bits/char{}\n--- sample (T={}) ---\n{}\n---",
                state.iteration, fmt(trainLoss), fmt(val), fmt(LossEvaluator.bitsPerChar(val)),
                improved ? " (best)" : " (best " + fmt(state.bestValLoss) + " at " + state.bestIteration + ")",
                config.sampleTemperature(), sampleFrom(output.latestCheckpoint()));
        return config.patience() > 0 && state.evalsSinceBest >= config.patience();
    }

    /** Saves the best weights seen as model.zip; returns null when there are none worth saving. */
    private Path writeFinalModel() throws IOException {
        MultiLayerNetwork best;
        if (state.bestValLoss == null) {
            log.error("No validation completed, so no model.zip was written");
            return null;
        }
        if (bestParams != null) {
            best = net.clone();
            best.setParams(bestParams);
        } else {
            // Resumed and stopped before beating the checkpoint's best: the best checkpoint holds it.
            try {
                best = ModelFile.load(output.bestCheckpoint()).network();
            } catch (dev.charlstm.model.ModelFileException e) {
                log.error("The best weights are not in memory and cannot be reloaded ({}); no model.zip written",
                        e.getMessage());
                return null;
            }
        }
        ModelFile.save(output.model(), best, metadata(bestValLoss()));
        log.info("Saved {} (validation {} nats/char at iteration {})", output.model(), fmt(bestValLoss()),
                state.bestIteration);
        return output.model();
    }

    private double bestValLoss() {
        return state.bestValLoss == null ? Double.NaN : state.bestValLoss;
    }

    private ModelMetadata metadata(double valLoss) {
        return new ModelMetadata(ModelMetadata.FORMAT, ModelMetadata.FORMAT_VERSION, corpus.vocabulary().chars(),
                new ModelMetadata.Normalization(TextNormalizer.RULES_VERSION,
                        "NFKC; accents removed; typographic quotes and dashes to ASCII; characters outside the "
                                + "vocabulary dropped; runs of spaces collapsed"),
                config.asMap(),
                new ModelMetadata.Training(corpus.sha256(), corpus.length(), corpusSource, state.iteration,
                        Double.isFinite(valLoss) ? round4(valLoss) : null,
                        Double.isFinite(valLoss) ? round4(LossEvaluator.bitsPerChar(valLoss)) : null,
                        Instant.now().toString(), Backend.name(), TrainingOutput.projectVersion()));
    }

    private long lastCheckpointIteration() {
        TrainingState.Evaluation last = state.lastEvaluation();
        return last == null ? 0 : last.iteration();
    }

    private void report(long startIteration, double loss, double elapsedThisRun) {
        // The time limit often binds before the iteration limit: aim the bar (and its ETA) at whichever comes first.
        double secondsPerIteration = elapsedThisRun / Math.max(1, state.iteration - startIteration);
        long reachable = state.iteration + (long) ((config.maxSeconds() - elapsedThisRun) / secondsPerIteration);
        long expectedLast = Math.max(state.iteration, Math.min(config.iterations(), reachable));
        progress.update(state.iteration, expectedLast, loss, state.trainCharsPerSecond(),
                (expectedLast - state.iteration) * secondsPerIteration);
    }

    private static String describe(Outcome outcome) {
        return switch (outcome) {
            case ITERATIONS -> "iteration limit reached";
            case TIME_LIMIT -> "time limit reached";
            case EARLY_STOP -> "validation loss stopped improving";
            case INTERRUPTED -> "interrupted";
            case DIVERGED -> "loss diverged";
        };
    }

    private static String fmt(double v) {
        return String.format("%.4f", v);
    }

    private static double round4(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }

    /**
     * Averages the per-character loss over the truncated-BPTT segments of one iteration (of every
     * worker's batch: with several workers it is called from their threads, hence synchronized).
     */
    private static final class SegmentLoss extends BaseTrainingListener {
        private double sum;
        private int count;

        synchronized void reset() {
            sum = 0;
            count = 0;
        }

        synchronized double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }

        @Override
        public synchronized void iterationDone(Model model, int iteration, int epoch) {
            sum += model.score();
            count++;
        }
    }
}
