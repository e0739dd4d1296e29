package dev.charlstm.cli;

import dev.charlstm.train.TrainConfig;
import dev.charlstm.train.Training;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code train}: corpus → network → model.zip, metrics.json and loss.png. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a character LSTM and write model.zip, metrics.json and loss.png.",
        footerHeading = "%nConfiguration keys (config/train.yaml, --set key=value):%n")
final class TrainCommand implements Callable<Integer> {

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
            description = "Fit N batches at once on N threads (or GPUs) and average them each iteration (default 1).")
    Integer workers;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

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
        // What the user fixed, a planned run keeps: every --set key and every key of a --config file.
        java.util.Set<String> fixed = new java.util.HashSet<>(Training.Request.keysOf(set));
        if (config != null) {
            fixed.addAll(TrainConfig.keysIn(config));
        }
        Training.Run run = Training.prepare(new Training.Request(effective, overrides, out, resume, !noProgress, fixed));
        Thread hook = new Thread(() -> {
            System.err.println("\ncharlstm: interrupted, writing a checkpoint...");
            try {
                run.stopAndWait(120);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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
        System.out.printf("Model: %s (best validation %.4f nats/char, %d iterations, %,.0f training chars/s, %s)%n",
                summary.model(), summary.bestValLossNats(), summary.iterations(), summary.trainCharsPerSecond(),
                summary.stopReason());
        return 0;
    }
}
