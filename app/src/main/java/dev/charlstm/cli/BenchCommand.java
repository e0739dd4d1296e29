package dev.charlstm.cli;

import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.train.TrainConfig;
import dev.charlstm.train.Training;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench}: trains the reference network for a fixed number of iterations and samples a fixed
 * number of characters, reporting throughput and peak memory. A measurement, not a test.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training and sampling speed on the reference network (see docs/performance.md).")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--corpus", paramLabel = "FILE", description = "Text to train on (default: ${DEFAULT-VALUE}).")
    Path corpus = Path.of("..", "shared", "corpora", "covid19-faq.txt");

    @Option(names = "--iterations", description = "Training iterations to time (default: ${DEFAULT-VALUE}).")
    int iterations = 30;

    @Option(names = "--sample-chars", description = "Characters to sample, one stream (default: ${DEFAULT-VALUE}).")
    int sampleChars = 20_000;

    @Option(names = "--streams", description = "Streams sampled together for the batched figure (default: ${DEFAULT-VALUE}).")
    int streams = 32;

    @Option(names = "--threads", description = "Training threads, as the 'threads' key of train (default: ${DEFAULT-VALUE}: one per core, at most one per 16 rows).")
    int threads = 0;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Change the reference network (repeatable).")
    List<String> set = new ArrayList<>();

    @Mixin
    JsonOutput json = new JsonOutput();

    @Override
    public Integer call() throws Exception {
        if (iterations < 1 || sampleChars < 1 || streams < 1) {
            throw new IllegalArgumentException("--iterations, --sample-chars and --streams must be positive");
        }
        if (!Files.isRegularFile(corpus)) {
            throw new IllegalArgumentException("--corpus: " + corpus + " does not exist");
        }
        json.check();
        Path dir = Files.createTempDirectory("charlstm-bench");
        try {
            // The reference network of docs/performance.md and the PyTorch script, whatever the defaults are.
            List<String> overrides = new ArrayList<>(List.of("embedding_size=64", "hidden_size=256", "layers=1",
                    "batch_size=32", "chunk_length=200", "tbptt_length=50", "learning_rate=0.005", "dropout=0",
                    "grad_clip=5", "corpus=" + corpus, "iterations=" + iterations,
                    "eval_every=" + iterations, "patience=0", "max_seconds=86400", "sample_length=0",
                    "threads=" + threads, "plan=off"));
            overrides.addAll(set);
            TrainConfig config = TrainConfig.defaults().withOverrides(overrides);
            Training.Summary trained = Training.prepare(
                    new Training.Request(config, overrides, dir, null, false)).execute();

            Generator generator = Generator.load(trained.model());
            generator.generate(GenerationOptions.builder().length(2_000).seed(0L).build()); // JIT warm-up
            long t0 = System.nanoTime();
            generator.generate(GenerationOptions.builder().length(sampleChars).temperature(0.8).seed(1L).build());
            double single = sampleChars / seconds(t0);
            int perStream = Math.max(1, sampleChars / 10);
            int width = Math.min(streams, GenerationOptions.MAX_COUNT);
            generator.generate(GenerationOptions.builder().length(200).count(width).seed(0L).build()); // warm-up
            t0 = System.nanoTime();
            generator.generate(GenerationOptions.builder().length(perStream).count(width).temperature(0.8).seed(1L)
                    .build());
            double batched = (double) perStream * width / seconds(t0);

            Map<String, Object> r = new LinkedHashMap<>();
            r.put("system", "charlstm-" + Training.projectVersion());
            r.put("train_chars_per_sec", Math.round(trained.trainCharsPerSecond() * 10) / 10.0);
            r.put("sample_chars_per_sec", Math.round(single * 10) / 10.0);
            r.put("batched_sample_chars_per_sec", Math.round(batched * 10) / 10.0);
            r.put("streams", streams);
            r.put("peak_rss_mb", peakRssMegabytes());
            r.put("iterations", trained.iterations());
            r.put("val_loss_nats", Math.round(trained.bestValLossNats() * 1e4) / 1e4);
            r.put("threads", threads);
            r.put("config", config.asMap());
            r.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            if (json.wanted()) {
                json.emit(r);
            } else {
                r.forEach((k, v) -> System.out.printf("%-30s %s%n", k, v));
            }
            return 0;
        } finally {
            deleteTree(dir);
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Peak resident set size of this process (VmHWM), or -1 where /proc is not there. */
    static long peakRssMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no figure
        }
        return -1;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
