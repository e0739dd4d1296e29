package dev.charlstm.cli;

import dev.charlstm.io.Json;
import dev.charlstm.text.Vocabulary;
import dev.charlstm.train.TrainConfig;
import dev.charlstm.train.Training;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code train}: corpus → network → model.zip, metrics.json and loss.png. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a character LSTM and write model.zip, metrics.json and loss.png.",
        footerHeading = "%nConfiguration keys (config/train.yaml, --set key=value):%n")
final class TrainCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    static final Path DEFAULT_CONFIG = Path.of("config", "train.yaml");
    /** Exit code when the loss stopped being finite. */
    static final int DIVERGED = 3;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML hyperparameters (default: config/train.yaml if present, else built-in defaults).")
    Path config;

    @Option(names = "--corpus", paramLabel = "FILE|URL",
            description = "Training text: a UTF-8 file or a page URL (default: the live FAQ, or its bundled snapshot offline).")
    String corpus;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: models/<name>/).")
    Path out;

    @Option(names = "--max-seconds", paramLabel = "N", description = "Stop after N seconds of wall time.")
    Long maxSeconds;

    @Option(names = "--max-iterations", paramLabel = "N", description = "Stop after N iterations.")
    Long maxIterations;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run whose checkpoints are in DIR.")
    Path resume;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one configuration key (repeatable).")
    List<String> set = new ArrayList<>();

    @Option(names = "--strict", description = "Fail on characters outside the vocabulary instead of dropping them.")
    boolean strict;

    @Option(names = "--workers", paramLabel = "N",
            description = "Average the gradients of N batches in each step: a step on N x batch_size chunks (default 1).")
    Integer workers;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Option(names = "--force",
            description = "Train afresh into an output directory that already holds a finished model.zip, replacing it "
                    + "and its checkpoints.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        List<String> overrides = new ArrayList<>(set);
        if (corpus != null) {
            overrides.add("corpus=" + corpus);
        }
        if (strict) {
            overrides.add("strict=true");
        }
        if (maxSeconds != null) {
            overrides.add("max_seconds=" + maxSeconds);
        }
        if (maxIterations != null) {
            overrides.add("iterations=" + maxIterations);
        }
        if (workers != null) {
            overrides.add("workers=" + workers);
        }
        TrainConfig base = config != null ? TrainConfig.load(config)
                : Files.isRegularFile(DEFAULT_CONFIG) ? TrainConfig.load(DEFAULT_CONFIG) : TrainConfig.defaults();
        TrainConfig effective = base.withOverrides(overrides);
        if (resume != null && !Files.isDirectory(resume) && !Files.isRegularFile(resume)) {
            throw new IllegalArgumentException("--resume: " + resume + " does not exist");
        }
        if (resume == null) {
            // On resume the network comes from the checkpoint; its size was checked when it was built.
            MemoryBudget.check(effective, Vocabulary.printable().size(), MemoryBudget.Limits.ofThisJvm());
        }
        Path target = out != null ? out : resume != null ? resume : Path.of("models", effective.name());
        if (Files.isRegularFile(target)) {
            // A checkpoint file given to --resume is no place to write a run into.
            throw new IllegalArgumentException((out != null ? "--out: " : "--resume: ") + target
                    + " is a file; name the run's directory" + (out != null ? "" : ", or add --out DIR"));
        }
        refuseToReplaceAFinishedModel(target);
        try (OutputLock lock = OutputLock.acquire(target)) {
            return train(effective, overrides, lock);
        }
    }

    /**
     * A directory that holds a finished model.zip is someone's result: training afresh into it
     * would replace that model and its checkpoints, so it takes --force (or --resume to continue it).
     */
    private void refuseToReplaceAFinishedModel(Path target) {
        boolean continuing = resume != null && Files.isDirectory(resume)
                && target.toAbsolutePath().normalize().equals(resume.toAbsolutePath().normalize());
        if (force || continuing || !Files.isRegularFile(target.resolve("model.zip"))) {
            if (force && Files.isRegularFile(target.resolve("model.zip"))) {
                log.warn("Replacing the finished model in {} and its checkpoints (--force)", target);
            }
            return;
        }
        throw new IllegalArgumentException(target + " already holds a finished model (model.zip); pass --force to "
                + "replace it, --resume " + target + " to continue it, or --out DIR to train into another folder");
    }

    private int train(TrainConfig effective, List<String> overrides, OutputLock lock) throws Exception {
        long started = System.nanoTime();
        // What the user fixed, a planned run keeps: every --set key and every key of a --config file.
        Set<String> fixed = new HashSet<>(Training.Request.keysOf(set));
        if (config != null) {
            fixed.addAll(TrainConfig.keysIn(config));
        }
        // Data preparation (the live page, its snapshot, a URL or a file) is the command's to choose.
        Training.Run run = Training.prepare(new Training.Request(effective, overrides, out, resume, !noProgress, fixed),
                new CorpusSetting());
        Thread hook = new Thread(() -> {
            System.err.println("\ncharlstm: interrupted, writing a checkpoint...");
            try {
                run.stopAndWait(120);
                lock.close(); // the JVM may halt before the main thread gets to release it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the OS releases the lock with the process anyway
            }
        }, "charlstm-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Training.Summary summary;
        try {
            summary = run.execute();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running and waits for us
            }
        }
        if (summary.diverged()) {
            System.err.printf("charlstm: error: training diverged at iteration %d; the last good checkpoint is in %s%n",
                    summary.iterations() + 1, summary.outDir().resolve("checkpoints"));
            return DIVERGED;
        }
        long thisRun = Math.round((System.nanoTime() - started) / 1e9);
        Double total = totalSeconds(summary.outDir());
        String seconds = resume != null && total != null
                ? String.format("%d s this run, %d s in total", thisRun, Math.round(total)) : thisRun + " s";
        System.out.printf("Model: %s (best validation %.4f nats/char, %d iterations, %,.0f training chars/s, %s; %s)%n",
                summary.model(), summary.bestValLossNats(), summary.iterations(), summary.trainCharsPerSecond(),
                summary.stopReason(), seconds);
        return 0;
    }

    /** The wall time of every run of this model so far, from the metrics the trainer just wrote. */
    private static Double totalSeconds(Path outDir) {
        try {
            var node = Json.MAPPER.readTree(outDir.resolve("metrics.json").toFile());
            return node.hasNonNull("wall_seconds") ? node.get("wall_seconds").asDouble() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
