package dev.charlstm.train;

import static dev.charlstm.train.Decimals.fmt;

import dev.charlstm.corpus.ChunkSampler;
import dev.charlstm.corpus.Corpus;
import dev.charlstm.model.Backend;
import dev.charlstm.model.LossEvaluator;
import dev.charlstm.model.ModelFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: random chunks → one engine step per iteration → every {@code eval_every}
 * iterations a validation, with a checkpoint and a sample when one is due → at the end the best
 * model, the metrics and the loss chart.
 *
 * <p>Stops at the iteration limit, the time limit, when validation stops improving for
 * {@code patience} evaluations, when the loss stops being finite, or when {@link #requestStop()}
 * is called (Ctrl-C). Every stop writes a checkpoint first, except a diverged run, which keeps
 * the last good one (and writes the best weights seen to {@code best.zip} if they were unsaved).
 *
 * <p>Each part has a class of its own: {@link Validation} measures, {@link EarlyStopping} keeps the
 * best loss and the patience, {@link BestWeights} and {@link Checkpoints} write the zips,
 * {@link SampleLog} draws the samples, {@link RunMetadata} describes the weights, and the
 * {@link TrainingListener}s ({@link ProgressReport}, {@link LossChart}) follow the run.
 */
final class Trainer {

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    /** How a run ended. */
    enum Outcome {
        ITERATIONS("iteration limit reached"),
        TIME_LIMIT("time limit reached"),
        EARLY_STOP("validation loss stopped improving"),
        INTERRUPTED("interrupted"),
        DIVERGED("loss diverged");

        private final String description;

        Outcome(String description) {
            this.description = description;
        }

        /** As the log says it. */
        String description() {
            return description;
        }
    }

    /** What a finished run reports. */
    record Result(Outcome outcome, TrainingState state, Path model) {}

    private final TrainConfig config;
    private final Corpus corpus;
    private final String corpusSource;
    private final TrainingOutput output;
    private final MultiLayerNetwork net;
    private final TrainingState state;
    private final boolean showProgress;
    private final Map<String, Object> plan;
    private final TrainingEngine engine;
    private final RunMetadata metadata;
    private final EarlyStopping earlyStopping;
    private final BestWeights bestWeights;
    private final Checkpoints checkpoints;
    private final SampleLog samples;
    private final LossChart chart;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private double spentBeforeStart;
    private ProgressReport progress;
    private List<TrainingListener> listeners = List.of();

    /**
     * @param corpusSource where the text came from ({@code source:url}), for the metadata
     * @param plan         what the planner measured and chose ({@link RunPlan#toMap()}), or null for none
     */
    Trainer(TrainConfig config, Corpus corpus, String corpusSource, TrainingOutput output,
            MultiLayerNetwork net, TrainingState state, boolean showProgress, Map<String, Object> plan) {
        this.config = config;
        this.corpus = corpus;
        this.corpusSource = corpusSource;
        this.output = output;
        this.net = net;
        this.state = state;
        this.showProgress = showProgress;
        this.plan = plan;
        this.engine = TrainingEngine.choose(config, Backend.name());
        this.metadata = new RunMetadata(config, corpus, corpusSource, plan);
        this.earlyStopping = new EarlyStopping(config.patience());
        this.bestWeights = new BestWeights(net, output.bestCheckpoint());
        this.checkpoints = new Checkpoints(config, output, bestWeights);
        this.samples = new SampleLog(config);
        this.chart = new LossChart(output.lossChart(), "charlstm " + config.name());
        this.progress = ProgressReport.none(config);
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

    /** Trains until a stop condition, then writes the final model, the metrics and the chart. */
    Result run() throws IOException {
        try {
            return train();
        } finally {
            finished.countDown();
        }
    }

    private Result train() throws IOException {
        Corpus.Split split = corpus.split(config.validationFraction(), config.testFraction());
        ChunkSampler sampler = new ChunkSampler(split.train(), corpus.vocabulary().size(),
                config.chunkLength(), config.batchSize());
        if (split.validation().length < 2) {
            throw new IllegalArgumentException("the validation split has " + split.validation().length
                    + " characters; the corpus is too short to validate on");
        }
        Validation validation = new Validation(config, split.validation());
        int threads = engine.threads(config);
        log.info("Training on {} characters ({} for validation, {} of them measured at each validation; {} for test), "
                + "backend {}, engine {}, {} thread(s), {} worker(s); from iteration {}", split.train().length,
                split.validation().length, validation.selectionChars(), split.test().length, Backend.name(),
                engine.key(), threads, config.workers(), state.iteration);

        long wallStart = System.nanoTime();
        double wallBefore = state.wallSeconds;
        Outcome outcome;
        try (ProgressReport shown = new ProgressReport(Progress.create(showProgress, state.iteration,
                config.iterations()), config, state.iteration, wallStart, spentBeforeStart)) {
            progress = shown;
            listeners = List.of(shown, chart);
            outcome = iterate(sampler, validation, threads, wallStart, wallBefore);
            state.wallSeconds = wallBefore + (System.nanoTime() - wallStart) / 1e9;
            finish(outcome, validation);
        } finally {
            progress = ProgressReport.none(config);
        }
        // This run's seconds (what --max-seconds limits); a resumed model's total comes after it.
        long thisRun = Math.round(state.wallSeconds - wallBefore);
        log.info("Stopped: {} after {} iterations, {} s{} ({} training characters/s)", outcome.description(),
                state.iteration, thisRun, wallBefore > 0 ? " this run, " + Math.round(state.wallSeconds) + " s in total"
                        : "", Math.round(state.trainCharsPerSecond()));

        MultiLayerNetwork best = state.bestValLoss == null ? null : bestWeights.network();
        Map<String, Object> heldOut = best == null ? Map.of() : validation.heldOut(best, split);
        Path model = writeFinalModel(best, heldOut);
        output.writeMetrics(config, state, corpus, corpusSource, outcome.name().toLowerCase(), engine.key(), threads,
                heldOut, plan);
        listeners.forEach(l -> l.onEnd(state, outcome));
        return new Result(outcome, state, model);
    }

    /** Iterations until a stop condition. */
    private Outcome iterate(ChunkSampler sampler, Validation validation, int threads, long wallStart,
                            double wallBefore) throws IOException {
        long startIteration = state.iteration;
        long charsPerIteration = (long) config.batchSize() * config.chunkLength() * config.workers();
        try (FitStep step = engine.open(net, config, sampler, threads)) {
            while (true) {
                Outcome limit = limitReached(wallStart);
                if (limit != null) {
                    return limit;
                }
                long fitStart = System.nanoTime();
                double loss = step.fit(state.iteration);
                state.trainSeconds += (System.nanoTime() - fitStart) / 1e9;
                if (!Double.isFinite(loss)) {
                    progress.beforeLog();
                    log.error("The training loss became {} at iteration {}; stopping. The last good checkpoint "
                            + "(iteration {}) is kept.", loss, state.iteration + 1,
                            checkpoints.lastIteration() >= 0 ? checkpoints.lastIteration() : startIteration);
                    return Outcome.DIVERGED;
                }
                state.recordIteration(loss, charsPerIteration, wallBefore + (System.nanoTime() - wallStart) / 1e9);
                listeners.forEach(l -> l.onIteration(state, loss));
                if (state.iteration % config.evalEvery() == 0 && validate(validation, loss, false)) {
                    return Outcome.EARLY_STOP;
                }
            }
        }
    }

    /** The limit that stops the run before the next iteration, or null to go on. */
    private Outcome limitReached(long wallStart) {
        double elapsed = (System.nanoTime() - wallStart) / 1e9;
        if (state.iteration >= config.iterations()) {
            return Outcome.ITERATIONS;
        } else if (elapsed + spentBeforeStart >= config.maxSeconds()) {
            return Outcome.TIME_LIMIT;
        } else if (stopRequested) {
            return Outcome.INTERRUPTED;
        }
        return null;
    }

    /**
     * Validates and, when one is due, checkpoints and logs a sample; returns true when patience
     * has run out.
     *
     * @param forceCheckpoint checkpoint whatever the time since the last one (the run is ending)
     */
    private boolean validate(Validation validation, double trainLoss, boolean forceCheckpoint) throws IOException {
        double val = validation.measure(net, state, trainLoss);
        boolean improved = earlyStopping.record(state, val);
        if (improved) {
            bestWeights.remember(metadata.describe(state, val), state.toJson());
        }
        boolean stopping = earlyStopping.shouldStop(state);
        String sample = null;
        if (checkpoints.due(forceCheckpoint || stopping)) {
            checkpoints.write(net, metadata.describe(state, val), state);
            sample = samples.from(output.latestCheckpoint(), state.iteration);
        }
        progress.beforeLog();
        log.info("iteration {}: train {} | validation {} nats/char = {} bits/char{}{}", state.iteration,
                fmt(trainLoss), fmt(val), fmt(LossEvaluator.bitsPerChar(val)),
                improved ? " (best)" : " (best " + fmt(state.bestValLoss) + " at " + state.bestIteration + ")",
                sample == null ? "" : sample);
        boolean checkpointed = sample != null;
        listeners.forEach(l -> l.onValidation(state, val, checkpointed));
        return stopping;
    }

    /**
     * Leaves a checkpoint of where the run stopped: validating first unless the last iteration
     * was just validated. A diverged run's weights are not finite, so it saves only the best ones
     * seen.
     */
    private void finish(Outcome outcome, Validation validation) throws IOException {
        if (outcome == Outcome.DIVERGED) {
            bestWeights.writeUnsaved();
            return;
        }
        TrainingState.Evaluation last = state.lastEvaluation();
        if (last == null || last.iteration() != state.iteration) {
            validate(validation, state.lastTrainLoss(), true);
        } else if (checkpoints.lastIteration() != state.iteration) {
            checkpoints.write(net, metadata.describe(state, last.valLoss()), state);
        }
    }

    /** Saves the best weights seen as model.zip; returns null when there are none worth saving. */
    private Path writeFinalModel(MultiLayerNetwork best, Map<String, Object> heldOut) throws IOException {
        if (state.bestValLoss == null) {
            log.error("No validation completed, so no model.zip was written");
            return null;
        }
        if (best == null) {
            return null;
        }
        ModelFile.save(output.model(), best, metadata.describe(state, state.bestValLoss,
                (Double) heldOut.get("test_loss_nats")));
        log.info("Saved {} (validation {} nats/char at iteration {})", output.model(), fmt(state.bestValLoss),
                state.bestIteration);
        return output.model();
    }
}
