package dev.charlstm.train;

import dev.charlstm.corpus.Corpus;
import dev.charlstm.corpus.SourceText;
import dev.charlstm.corpus.TextSource;
import dev.charlstm.format.ModelMetadata;
import dev.charlstm.generate.InvalidModelException;
import dev.charlstm.io.AtomicFiles;
import dev.charlstm.model.Backend;
import dev.charlstm.model.ModelFile;
import dev.charlstm.text.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a model from a configuration, or resumes one from its checkpoint: the entry point of
 * the {@code train} command.
 *
 * <p>The text comes in through a {@link TextSource}: {@link TextSource#FILES} by default, or
 * whatever the caller prepares (the command line adds the live FAQ page and URLs).
 *
 * <pre>{@code
 * TrainConfig config = TrainConfig.defaults().with("corpus", "data/faq.txt");
 * Training.Summary s = Training.prepare(new Training.Request(config, null, Path.of("models/faq"), null, true))
 *         .execute();
 * System.out.println(s.model() + " " + s.bestValLossNats());
 * }</pre>
 */
public final class Training {

    private static final Logger log = LoggerFactory.getLogger(Training.class);

    private Training() {}

    /**
     * @param config       hyperparameters (on resume: only the overrides matter, checked against the checkpoint)
     * @param overrides    the {@code --set key=value} lines given, to tell what a resumed run changes
     * @param outDir       where to write; null means {@code models/<name>/} (or the resumed directory)
     * @param resumeDir    a previous run's directory, or null to start afresh
     * @param showProgress draw the progress bar on the terminal
     * @param fixedKeys    keys the user set (with {@code --set} or in a {@code --config} file): a
     *                     planned run keeps them as given
     */
    public record Request(TrainConfig config, List<String> overrides, Path outDir, Path resumeDir,
                          boolean showProgress, Set<String> fixedKeys) {
        public Request {
            Objects.requireNonNull(config, "config");
            overrides = overrides == null ? List.of() : List.copyOf(overrides);
            fixedKeys = fixedKeys == null ? keysOf(overrides) : Set.copyOf(fixedKeys);
        }

        /** A request whose fixed keys are those of {@code overrides}. */
        public Request(TrainConfig config, List<String> overrides, Path outDir, Path resumeDir, boolean showProgress) {
            this(config, overrides, outDir, resumeDir, showProgress, null);
        }

        /** The keys of {@code key=value} lines. */
        public static Set<String> keysOf(List<String> assignments) {
            Set<String> keys = new HashSet<>();
            for (String a : assignments) {
                int eq = a.indexOf('=');
                if (eq > 0) {
                    keys.add(a.substring(0, eq).trim());
                }
            }
            return keys;
        }
    }

    /**
     * The outcome of a run, as the command line reports it.
     *
     * @param model             the model written, or null when none was
     * @param stopReason        why the run stopped, as {@code metrics.json} says it
     * @param bestValLossNats   NaN when no validation completed
     * @param diverged          whether the loss stopped being finite
     */
    public record Summary(Path model, Path outDir, String stopReason, long iterations, double bestValLossNats,
                          double trainCharsPerSecond, boolean diverged) {}

    /** A run that can be asked to stop (Ctrl-C) and waited for. */
    public static final class Run {
        private final Trainer trainer;
        private final TrainingOutput output;

        private Run(Trainer trainer, TrainingOutput output) {
            this.trainer = trainer;
            this.output = output;
        }

        /** Trains until a stop condition and writes the model, the metrics and the chart. */
        public Summary execute() throws IOException {
            Trainer.Result r = trainer.run();
            TrainingState s = r.state();
            return new Summary(r.model(), output.dir(), r.outcome().name().toLowerCase(), s.iteration,
                    s.bestValLoss == null ? Double.NaN : s.bestValLoss, s.trainCharsPerSecond(),
                    r.outcome() == Trainer.Outcome.DIVERGED);
        }

        /** Checkpoints and stops after the current iteration; waits up to {@code seconds} for the files. */
        public boolean stopAndWait(long seconds) throws InterruptedException {
            trainer.requestStop();
            return trainer.awaitFinished(seconds);
        }
    }

    /** Prepares a run whose {@code corpus} setting names a text file ({@link TextSource#FILES}). */
    public static Run prepare(Request request) throws IOException, InvalidModelException {
        return prepare(request, TextSource.FILES);
    }

    /**
     * Prepares a run: reads the corpus through {@code texts}, builds or restores the network.
     *
     * @param texts what the {@code corpus} setting may name (files; the command line adds pages); a
     *              resumed run with an unchanged setting reads the copy it saved instead
     */
    public static <E extends Exception> Run prepare(Request request, TextSource<E> texts)
            throws IOException, InvalidModelException, E {
        return request.resumeDir() == null ? fresh(request, texts) : resumed(request, texts);
    }

    private static <E extends Exception> Run fresh(Request request, TextSource<E> texts) throws IOException, E {
        TrainConfig config = request.config();
        Backend.useThreads(nd4jThreads(config));
        Path outDir = request.outDir() != null ? request.outDir() : Path.of("models", config.name());
        TrainingOutput output = new TrainingOutput(outDir);
        SourceText source = texts.read(config.corpus());
        Corpus corpus = corpus(source, config.strict());
        source.write(output.corpus());
        Map<String, Object> planReport = null;
        double planSeconds = 0;
        if (config.plan() == TrainConfig.Plan.AUTO) {
            long trainChars = corpus.split(config.validationFraction(), config.testFraction()).train().length;
            RunPlan plan = Planner.plan(config, request.fixedKeys(), trainChars,
                    new MeasuredThroughput(corpus.vocabulary().size(), Runtime.getRuntime().availableProcessors()),
                    LossCurves.bundled());
            log.info("{}", plan.describe());
            config = plan.config();
            planReport = plan.toMap();
            planSeconds = plan.probeSeconds();
        }
        MultiLayerNetwork net = NetworkFactory.build(config, corpus.vocabulary().size());
        log.info("Network: embedding {} -> LSTM {} x {} -> softmax {}; {} parameters", config.embeddingSize(),
                config.hiddenSize(), config.layers(), corpus.vocabulary().size(), net.numParams());
        Trainer trainer = new Trainer(config, corpus, source.origin(),
                output, net, new TrainingState(), request.showProgress(), planReport);
        trainer.spentBeforeStart(planSeconds); // the plan's probe counts against --max-seconds
        return new Run(trainer, output);
    }

    private static <E extends Exception> Run resumed(Request request, TextSource<E> texts)
            throws IOException, InvalidModelException, E {
        Path checkpoint = TrainingOutput.findCheckpoint(request.resumeDir());
        ModelFile.Loaded loaded = ModelFile.load(checkpoint, true);
        byte[] stateJson = loaded.checkpointState().orElseThrow(() -> new IllegalArgumentException(
                checkpoint + " is a finished model, not a checkpoint: it has no training state to resume"));
        TrainingState state = TrainingState.fromJson(stateJson);
        Map<String, Object> hyperparameters = new LinkedHashMap<>(loaded.metadata().hyperparameters());
        // Checkpoints from before the test split validated on the whole tail, all of it each time: keep that.
        hyperparameters.putIfAbsent("test_fraction", 0.0);
        hyperparameters.putIfAbsent("eval_chars", 0);
        TrainConfig stored = TrainConfig.fromMap(hyperparameters);
        TrainConfig config = resumedConfig(stored, request);
        Backend.useThreads(nd4jThreads(config));
        Path outDir = request.outDir() != null ? request.outDir() : request.resumeDir();
        TrainingOutput output = new TrainingOutput(outDir);
        Path savedCorpus = request.resumeDir().resolve("corpus.txt");
        SourceText source = config.corpus().equals(stored.corpus()) && Files.isRegularFile(savedCorpus)
                ? SourceText.readFile(savedCorpus) : texts.read(config.corpus());
        Corpus corpus = corpus(source, config.strict());
        if (!corpus.sha256().equals(loaded.metadata().training().corpusSha256())) {
            throw new IllegalArgumentException("the corpus differs from the one " + checkpoint
                    + " was trained on (SHA-256 " + corpus.sha256() + " vs "
                    + loaded.metadata().training().corpusSha256() + ")");
        }
        if (!outDir.equals(request.resumeDir())) {
            source.write(output.corpus());
            // The best weights so far live in the old run's best.zip; the new directory needs them
            // in case this run never beats them.
            Path best = TrainingOutput.bestCheckpointIn(request.resumeDir());
            if (Files.isRegularFile(best)) {
                AtomicFiles.write(output.bestCheckpoint(), Files.readAllBytes(best));
            }
        }
        adoptNewerBest(state, TrainingOutput.bestCheckpointIn(request.resumeDir()));
        log.info("Resuming {} at iteration {} (best validation {} nats/char)", checkpoint, state.iteration,
                state.bestValLoss == null ? "none yet" : String.format("%.4f", state.bestValLoss));
        ModelMetadata.Training training = loaded.metadata().training();
        return new Run(new Trainer(config, corpus, training.corpusSource(), output, loaded.network(), state,
                request.showProgress(), training.plan()), output);
    }

    /**
     * best.zip is written before latest.zip, so a run killed between the two leaves a best.zip
     * better than the best latest.zip's state knows of: the state takes it over, so the model the
     * resumed run saves is described by its own loss.
     */
    private static void adoptNewerBest(TrainingState state, Path best) throws InvalidModelException {
        if (!Files.isRegularFile(best)) {
            return;
        }
        ModelMetadata.Training t = ModelFile.load(best).metadata().training();
        if (t != null && t.valLossNats() != null && t.iterations() > state.bestIteration
                && (state.bestValLoss == null || t.valLossNats() < state.bestValLoss)) {
            log.info("best.zip (iteration {}, {} nats/char) is newer than the checkpoint's record; taking it as the best",
                    t.iterations(), t.valLossNats());
            state.bestValLoss = t.valLossNats();
            state.bestIteration = t.iterations();
        }
    }

    /** ND4J's own threads: the BLAS engine does its own threading, and DL4J's LSTM ran fastest on one. */
    private static int nd4jThreads(TrainConfig config) {
        return config.engine() == TrainConfig.Engine.DL4J && config.threads() > 0 ? config.threads() : 1;
    }

    /**
     * Keys that decide which text trains, validates and tests: changing one mid-run would move
     * text between them, and make the best validation loss so far incomparable.
     */
    static final List<String> FIXED_FOR_A_RUN = List.of("validation_fraction", "test_fraction", "eval_chars");

    /** The checkpoint's configuration with the request's overrides, refusing ones the network or the split cannot take. */
    private static TrainConfig resumedConfig(TrainConfig stored, Request request) {
        Map<String, Object> wanted = request.config().asMap();
        for (String key : Request.keysOf(request.overrides())) {
            boolean fixed = TrainConfig.BAKED_INTO_NETWORK.contains(key) || FIXED_FOR_A_RUN.contains(key);
            if (fixed && !Objects.equals(wanted.get(key), stored.asMap().get(key))) {
                throw new IllegalArgumentException("'" + key + "' cannot change when resuming (the checkpoint has "
                        + stored.asMap().get(key) + ")");
            }
        }
        return stored.withOverrides(request.overrides());
    }

    /** This build's version, from the properties Maven filters at build time. */
    public static String projectVersion() {
        try (InputStream in = Training.class.getResourceAsStream("/dev/charlstm/version.properties")) {
            Properties props = new Properties();
            if (in != null) {
                props.load(in);
            }
            return props.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Corpus corpus(SourceText source, boolean strict) {
        Corpus corpus = Corpus.fromText(source.text(), Vocabulary.printable(), strict);
        if (corpus.normalization().droppedCount() > 0) {
            log.warn("Normalisation: {} (use --set strict=true to make this an error)",
                    corpus.normalization().droppedSummary(5));
        }
        log.info("Corpus: {} characters after normalisation, SHA-256 {}", corpus.length(), corpus.sha256());
        return corpus;
    }
}
