package dev.charlstm.train;

import dev.charlstm.generate.InvalidModelException;
import dev.charlstm.corpus.ChunkSampler;
import dev.charlstm.corpus.Corpus;
import dev.charlstm.text.TextNormalizer;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.model.Backend;
import dev.charlstm.model.LossEvaluator;
import dev.charlstm.model.ModelFile;
import dev.charlstm.format.ModelMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * is called (Ctrl-C). Every stop writes a checkpoint first, except a diverged run, which keeps
 * the last good one (and writes the best weights seen to {@code best.zip} if they were unsaved).
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
    private final TrainingEngine engine;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);
    private INDArray bestParams;
    private Snapshot unsavedBest;
    private long checkpointedAt = System.nanoTime();
    private long checkpointedIteration = -1;
    private double evalCharsPerSecond;
    private double spentBeforeStart;
    private final Map<String, Object> plan;
    private Progress progress = Progress.create(false, 0, 0);

    /** @param plan what the planner measured and chose ({@link RunPlan#toMap()}), or null for none */
    Trainer(TrainConfig config, Corpus corpus, String corpusSource, TrainingOutput output,
            MultiLayerNetwork net, TrainingState state, boolean showProgress, Map<String, Object> plan) {
        this.config = config;
        this.corpus = corpus;
        this.corpusSource = corpusSource;
        this.output = output;
        this.net = net;
        this.state = state;
        this.showProgress = showProgress;
        this.engine = TrainingEngine.choose(config, Backend.name());
        this.plan = plan;
    }

    /** Seconds of the time budget already spent before the loop starts (planning the run). */
    void spentBeforeStart(double seconds) {
        this.spentBeforeStart = seconds;
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
        Corpus.Split split = corpus.split(config.validationFraction(), config.testFraction());
        ChunkSampler sampler = new ChunkSampler(split.train(), corpus.vocabulary().size(),
                config.chunkLength(), config.batchSize());
        if (split.validation().length < 2) {
            throw new IllegalArgumentException("the validation split has " + split.validation().length
                    + " characters; the corpus is too short to validate on");
        }
        int[] selection = selectionText(split.validation(), config.evalChars());
        log.info("Training on {} characters ({} for validation, {} of them measured at each validation; {} for test), "
                + "backend {}, engine {}, {} thread(s), {} worker(s); from iteration {}", split.train().length,
                split.validation().length, selection.length, split.test().length, Backend.name(), engine.key(),
                engineThreads(), config.workers(), state.iteration);
        long wallStart = System.nanoTime();
        double wallBefore = state.wallSeconds;
        Outcome outcome;
        try (Progress progress = Progress.create(showProgress, state.iteration, config.iterations())) {
            this.progress = progress;
            outcome = fitUntilStopped(selection, sampler, wallStart, wallBefore);
            state.wallSeconds = wallBefore + (System.nanoTime() - wallStart) / 1e9;
            TrainingState.Evaluation last = state.lastEvaluation();
            if (outcome != Outcome.DIVERGED) {
                if (last == null || last.iteration() != state.iteration) {
                    evaluateAndCheckpoint(selection, lastTrainLoss(), true);
                } else if (checkpointedIteration != state.iteration) {
                    checkpoint(last.valLoss());
                }
            } else {
                writeUnsavedBest(); // the weights now are not finite, but the best ones seen are
            }
        } finally {
            this.progress = Progress.create(false, 0, 0);
        }
        // This run's seconds (what --max-seconds limits); a resumed model's total comes after it.
        long thisRun = Math.round(state.wallSeconds - wallBefore);
        log.info("Stopped: {} after {} iterations, {} s{} ({} training characters/s)", describe(outcome),
                state.iteration, thisRun, wallBefore > 0 ? " this run, " + Math.round(state.wallSeconds) + " s in total"
                        : "", Math.round(state.trainCharsPerSecond()));
        MultiLayerNetwork best = state.bestValLoss == null ? null : bestNetwork();
        Map<String, Object> heldOut = best == null ? Map.of() : heldOutLosses(best, split, selection.length);
        Path model = writeFinalModel(best, heldOut);
        output.writeMetrics(config, state, corpus, corpusSource, outcome.name().toLowerCase(), engine.key(), engineThreads(),
                heldOut, plan);
        drawLossChart();
        return new Result(outcome, state, model);
    }

    /**
     * The validation text measured during the run: a fixed stretch at its start, so every
     * validation of the run (and of a resumed run) measures the same characters.
     */
    static int[] selectionText(int[] validation, int evalChars) {
        return evalChars == 0 || evalChars >= validation.length ? validation : Arrays.copyOf(validation, evalChars);
    }

    /**
     * The chosen model on the whole validation text and on the test text, which no decision of
     * the run has seen: the honest estimate of how it does on text like this. Each is read up to
     * {@link #finalEvalChars}.
     */
    private Map<String, Object> heldOutLosses(MultiLayerNetwork best, Corpus.Split split, int selectionChars) {
        Map<String, Object> m = new LinkedHashMap<>();
        int cap = finalEvalChars(selectionChars);
        int[] validation = selectionText(split.validation(), cap);
        int[] test = selectionText(split.test(), cap);
        m.put("selection_val_chars", selectionChars);
        m.put("val_chars", validation.length);
        if (selectionChars < validation.length) {
            double full = LossEvaluator.nats(best, validation, EVAL_STREAMS, config.tbpttLength());
            m.put("full_val_loss_nats", round4(full));
            log.info("The chosen model on {} validation characters: {} nats/char", validation.length, fmt(full));
        }
        m.put("test_chars", test.length);
        if (test.length >= 2) {
            double loss = LossEvaluator.nats(best, test, EVAL_STREAMS, config.tbpttLength());
            m.put("test_loss_nats", round4(loss));
            m.put("test_bpc", round4(LossEvaluator.bitsPerChar(loss)));
            log.info("The chosen model on the {} test characters: {} nats/char = {} bits/char", test.length,
                    fmt(loss), fmt(LossEvaluator.bitsPerChar(loss)));
        }
        return m;
    }

    /**
     * The most held-out characters measured after the run, of each of validation and test: as many
     * as the validations' measured speed reads in {@value #FINAL_EVAL_SHARE} of the time budget,
     * and never fewer than a validation reads. For texts of a few hundred kilobytes that is all of
     * them; a large corpus does not overrun its budget by minutes.
     */
    private int finalEvalChars(int selectionChars) {
        if (evalCharsPerSecond <= 0) {
            return Integer.MAX_VALUE;
        }
        double affordable = FINAL_EVAL_SHARE * config.maxSeconds() * evalCharsPerSecond / 2; // validation and test
        return (int) Math.max(selectionChars, Math.min(Integer.MAX_VALUE, affordable));
    }

    static final double FINAL_EVAL_SHARE = 0.05;

    /** Rows the validation text is read in, side by side, whatever the batch: the same protocol for every run. */
    static final int EVAL_STREAMS = 32;

    private Outcome fitUntilStopped(int[] selection, ChunkSampler sampler, long wallStart, double wallBefore)
            throws IOException {
        int workers = config.workers();
        if (engine == TrainingEngine.DL4J) {
            SegmentLoss segmentLoss = new SegmentLoss();
            net.setListeners(segmentLoss);
            return fitLoop(selection, wallStart, wallBefore, iteration -> {
                segmentLoss.reset();
                Nd4j.getRandom().setSeed(config.seed() + iteration); // dropout masks follow the iteration
                net.fit(sampler.batch(config.seed(), iteration));
                return segmentLoss.mean();
            });
        }
        try (TruncatedBptt fit = new TruncatedBptt(net, engine, config.batchSize() * workers, config.tbpttLength(),
                engineThreads())) {
            return fitLoop(selection, wallStart, wallBefore,
                    iteration -> fit.fit(windows(sampler, iteration, workers), config.seed() + iteration));
        }
    }

    /**
     * The chunks of one step: with N workers, batches {@code i·N} to {@code i·N + N - 1} side by
     * side, so the step averages the gradient over all of them, as synchronous data-parallel
     * training with gradient averaging does.
     */
    private int[][] windows(ChunkSampler sampler, long iteration, int workers) {
        if (workers == 1) {
            return sampler.windows(config.seed(), iteration);
        }
        int b = config.batchSize();
        int[][] all = new int[b * workers][];
        for (int w = 0; w < workers; w++) {
            System.arraycopy(sampler.windows(config.seed(), iteration * workers + w), 0, all, w * b, b);
        }
        return all;
    }

    /** Batch shards of the BLAS engine, or ND4J's threads. */
    private int engineThreads() {
        return engine == TrainingEngine.BLAS
                ? blasThreads(config, config.batchSize() * config.workers(), Runtime.getRuntime().availableProcessors())
                : Backend.threads();
    }

    /**
     * Unless configured, one shard per core, but none thinner than {@value #MIN_SHARD_ROWS} rows:
     * below that a matrix product per time step costs about as much as a wider one.
     */
    static int blasThreads(TrainConfig config, int rows, int cores) {
        if (config.threads() > 0) {
            return config.threads();
        }
        return Math.max(1, Math.min(cores, rows / MIN_SHARD_ROWS));
    }

    static final int MIN_SHARD_ROWS = 16;

    /** One training iteration (a batch of chunks); returns its mean per-character loss. */
    @FunctionalInterface
    private interface Iteration {
        double fit(long iteration);
    }

    /** Iterations until a stop condition. */
    private Outcome fitLoop(int[] selection, long wallStart, double wallBefore, Iteration fit) throws IOException {
        long startIteration = state.iteration;
        while (true) {
            double elapsed = (System.nanoTime() - wallStart) / 1e9;
            if (state.iteration >= config.iterations()) {
                return Outcome.ITERATIONS;
            } else if (elapsed + spentBeforeStart >= config.maxSeconds()) {
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
                        + "(iteration {}) is kept.", loss, state.iteration + 1,
                        checkpointedIteration >= 0 ? checkpointedIteration : startIteration);
                return Outcome.DIVERGED;
            }
            state.iteration++;
            state.trainedChars += (long) config.batchSize() * config.chunkLength() * config.workers();
            state.trainCurve.add(new TrainingState.Point(state.iteration, round4(loss)));
            state.wallSeconds = wallBefore + (System.nanoTime() - wallStart) / 1e9;
            report(startIteration, loss, (System.nanoTime() - wallStart) / 1e9);
            if (state.iteration % config.evalEvery() == 0 && evaluateAndCheckpoint(selection, loss, false)) {
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

    /**
     * Validates and, when one is due, checkpoints and logs a sample; returns true when patience
     * has run out.
     *
     * @param forceCheckpoint checkpoint whatever the time since the last one (the run is ending)
     */
    private boolean evaluateAndCheckpoint(int[] selection, double trainLoss, boolean forceCheckpoint) throws IOException {
        long evalStart = System.nanoTime();
        double val = LossEvaluator.nats(net, selection, EVAL_STREAMS, config.tbpttLength());
        evalCharsPerSecond = selection.length / Math.max(1e-9, (System.nanoTime() - evalStart) / 1e9);
        state.evaluations.add(new TrainingState.Evaluation(state.iteration, round4(state.wallSeconds),
                round4(trainLoss), round4(val)));
        boolean improved = state.bestValLoss == null || val < state.bestValLoss;
        if (improved) {
            state.bestValLoss = val;
            state.bestIteration = state.iteration;
            state.evalsSinceBest = 0;
            bestParams = net.params().dup();
            unsavedBest = new Snapshot(bestParams, net.getUpdater().getStateViewArray().dup(), metadata(val),
                    state.toJson());
        } else {
            state.evalsSinceBest++;
        }
        boolean stopping = config.patience() > 0 && state.evalsSinceBest >= config.patience();
        boolean due = forceCheckpoint || stopping || config.checkpointSeconds() == 0
                || System.nanoTime() - checkpointedAt >= config.checkpointSeconds() * 1_000_000_000L;
        String sample = due ? checkpoint(val) : null;
        progress.beforeLog();
        log.info("iteration {}: train {} | validation {} nats/char = {} bits/char{}{}", state.iteration,
                fmt(trainLoss), fmt(val), fmt(LossEvaluator.bitsPerChar(val)),
                improved ? " (best)" : " (best " + fmt(state.bestValLoss) + " at " + state.bestIteration + ")",
                sample == null ? "" : "\n--- sample (T=" + config.sampleTemperature() + ") ---\n" + sample + "\n---");
        return stopping;
    }

    /**
     * Writes {@code latest.zip}, and {@code best.zip} when a better model has been seen since the
     * last write; returns a sample from the checkpoint just written. Checkpoints are throttled
     * ({@code checkpoint_seconds}) because a large network's two zips can cost more than the
     * validation itself; the best weights wait in memory until the next write.
     */
    private String checkpoint(double val) throws IOException {
        // best.zip first: a kill between the two writes then leaves a best.zip at least as new as
        // the best that latest.zip's state names, never an older one.
        writeUnsavedBest();
        output.saveCheckpoint(output.latestCheckpoint(), net, metadata(val), state);
        checkpointedAt = System.nanoTime();
        checkpointedIteration = state.iteration;
        drawLossChart(); // redrawn at every checkpoint, so loss.png shows a run in progress too
        return sampleFrom(output.latestCheckpoint());
    }

    private void writeUnsavedBest() throws IOException {
        if (unsavedBest != null) {
            MultiLayerNetwork best = net.clone();
            best.setParams(unsavedBest.params());
            best.getUpdater().getStateViewArray().assign(unsavedBest.updater());
            ModelFile.saveCheckpoint(output.bestCheckpoint(), best, unsavedBest.metadata(), unsavedBest.state());
            unsavedBest = null;
        }
    }

    /** The best model's weights, the optimiser state and the run state at the time it was measured. */
    private record Snapshot(INDArray params, INDArray updater, ModelMetadata metadata, byte[] state) {}

    /** Saves the best weights seen as model.zip; returns null when there are none worth saving. */
    private Path writeFinalModel(MultiLayerNetwork best, Map<String, Object> heldOut) throws IOException {
        if (state.bestValLoss == null) {
            log.error("No validation completed, so no model.zip was written");
            return null;
        }
        if (best == null) {
            return null;
        }
        ModelFile.save(output.model(), best, metadata(bestValLoss(), (Double) heldOut.get("test_loss_nats")));
        log.info("Saved {} (validation {} nats/char at iteration {})", output.model(), fmt(bestValLoss()),
                state.bestIteration);
        return output.model();
    }

    /** The network with the best weights seen, from memory or (resumed before beating it) from best.zip. */
    private MultiLayerNetwork bestNetwork() {
        if (bestParams != null) {
            MultiLayerNetwork best = net.clone();
            best.setParams(bestParams);
            return best;
        }
        try {
            return ModelFile.load(output.bestCheckpoint()).network();
        } catch (InvalidModelException e) {
            log.error("The best weights are not in memory and cannot be reloaded ({}); no model.zip written",
                    e.getMessage());
            return null;
        }
    }

    private double bestValLoss() {
        return state.bestValLoss == null ? Double.NaN : state.bestValLoss;
    }

    private ModelMetadata metadata(double valLoss) {
        return metadata(valLoss, null);
    }

    private ModelMetadata metadata(double valLoss, Double testLoss) {
        return new ModelMetadata(ModelMetadata.FORMAT, ModelMetadata.FORMAT_VERSION, corpus.vocabulary().chars(),
                new ModelMetadata.Normalization(TextNormalizer.RULES_VERSION,
                        "NFKC; accents removed; typographic quotes and dashes to ASCII; characters outside the "
                                + "vocabulary dropped; runs of spaces collapsed"),
                config.asMap(),
                new ModelMetadata.Training(corpus.sha256(), corpus.length(), corpusSource, state.iteration,
                        Double.isFinite(valLoss) ? round4(valLoss) : null,
                        Double.isFinite(valLoss) ? round4(LossEvaluator.bitsPerChar(valLoss)) : null,
                        Instant.now().toString(), Backend.name(), TrainingOutput.projectVersion(), testLoss, plan));
    }

    private void report(long startIteration, double loss, double elapsedThisRun) {
        // The time limit often binds before the iteration limit: aim the bar (and its ETA) at whichever comes first.
        double secondsPerIteration = elapsedThisRun / Math.max(1, state.iteration - startIteration);
        long reachable = state.iteration
                + (long) ((config.maxSeconds() - spentBeforeStart - elapsedThisRun) / secondsPerIteration);
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

    /** Averages the per-character loss over the truncated-BPTT segments of one iteration of DL4J's fit. */
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
