package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs real training processes at random points, some of them in the middle of a checkpoint
 * write, and resumes each time. A kill cannot run shutdown hooks, so only the atomic writes stand
 * between a crash and a half-written model that a loader would pick up.
 *
 * <p>The trials are chained: each resumed process is the next one killed, so seven JVMs cover six
 * kills. The seed of the kill points is printed; {@code -Dkill.seed=N} replays a run.
 */
class KillDuringTrainingIT {

    private static final int TRIALS = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyKillResumesFromTheLastCompleteCheckpoint() throws Exception {
        long seed = Long.getLong("kill.seed", System.nanoTime());
        System.out.println("KillDuringTrainingIT: kill.seed=" + seed);
        Random random = new Random(seed);
        Path corpus = Fixtures.faqHead(dir, 5000);
        Path run = dir.resolve("run");
        Path checkpoints = run.resolve("checkpoints");

        Process p = start(List.of("train", "--corpus", corpus.toString(), "--out", run.toString()), 0);
        long lastComplete = -1;
        int midWriteKills = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            int t = trial;
            Process current = p;
            // Let the process write a checkpoint of its own before the kill.
            long before = lastComplete;
            waitFor(() -> !current.isAlive() || Files.isRegularFile(checkpoints.resolve("latest.zip"))
                    && iterationOf(checkpoints.resolve("latest.zip")) > before, 60_000);
            assertThat(current.isAlive()).as("process %d exited early: %s", t, output(t)).isTrue();
            boolean duringWrite = trial % 2 == 1; // odd trials aim at a checkpoint write
            List<Path> stray = tmpFiles(checkpoints); // left by earlier kills
            if (duringWrite) {
                // Spins rather than sleeps: the write of a tiny checkpoint lasts about a millisecond.
                long deadline = System.currentTimeMillis() + 10_000;
                while (stray.containsAll(tmpFiles(checkpoints)) && current.isAlive()
                        && System.currentTimeMillis() < deadline) {
                    Thread.onSpinWait();
                }
            } else {
                Thread.sleep(random.nextInt(1500));
                assertEveryModelLoads(run); // an observation while it runs
            }
            current.destroyForcibly().waitFor();
            boolean leftTmp = !stray.containsAll(tmpFiles(checkpoints));
            midWriteKills += leftTmp ? 1 : 0;
            System.out.printf("trial %d: %s kill, half-written .tmp left: %s%n", trial,
                    duringWrite ? "mid-write" : "random", leftTmp);

            assertEveryModelLoads(run);
            lastComplete = iterationOf(checkpoints.resolve("latest.zip"));
            List<String> resume = new ArrayList<>(List.of("train", "--resume", run.toString()));
            if (trial == TRIALS - 1) {
                resume.addAll(List.of("--max-iterations", String.valueOf(lastComplete + 2)));
            }
            p = start(resume, trial + 1);
            Process resumed = p;
            waitFor(() -> output(t + 1).contains("Resuming") || !resumed.isAlive(), 60_000);
            assertThat(output(trial + 1)).as("trial %d resumes", trial)
                    .contains("latest.zip at iteration " + lastComplete + " (");
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output(TRIALS)).isZero();
        assertEveryModelLoads(run);
        assertThat(Generator.load(run.resolve("model.zip")).generate(
                GenerationOptions.builder().prime("Th").length(10).seed(1L).build())).hasSize(1);
        System.out.println("KillDuringTrainingIT: kills that left a half-written .tmp: " + midWriteKills);
        // Three kills aim at a write; the .tmp stays from detection to kill, so at least one lands.
        assertThat(midWriteKills).as("kills during a checkpoint write").isPositive();
    }

    /** Every zip a loader could be pointed at loads; temporary files never look like models. */
    private static void assertEveryModelLoads(Path run) throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(run)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".tmp")) {
                assertThat(name).as("temporary file").startsWith(".").doesNotEndWith(".zip");
            } else if (name.endsWith(".zip")) {
                ModelFile.load(f); // throws on a truncated or half-written file
            }
        }
    }

    private static boolean hasTmp(Path checkpoints) throws IOException {
        return !tmpFiles(checkpoints).isEmpty();
    }

    private static List<Path> tmpFiles(Path checkpoints) throws IOException {
        try (Stream<Path> list = Files.list(checkpoints)) {
            return list.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static long iterationOf(Path checkpoint) throws Exception {
        byte[] state = ModelFile.load(checkpoint, true).checkpointState().orElseThrow();
        return JSON.readTree(state).get("iteration").asLong();
    }

    private String output(int process) throws IOException {
        Path log = dir.resolve("process-" + process + ".log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls a condition; the callers assert on what they find afterwards, never on the time taken. */
    private static void waitFor(Condition condition, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.holds() && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
    }

    private Process start(List<String> args, int trial) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dcharlstm.log.file=" + dir.resolve("charlstm.log"),
                "dev.charlstm.cli.Main"));
        command.addAll(args);
        command.addAll(List.of("--no-progress", "--set", "embedding_size=8", "--set", "hidden_size=16",
                "--set", "chunk_length=20", "--set", "tbptt_length=10", "--set", "batch_size=8",
                "--set", "eval_every=1", "--set", "sample_length=5", "--set", "patience=0", "--set", "plan=off",
                "--set", "checkpoint_seconds=0"));
        if (!args.contains("--max-iterations")) {
            command.addAll(List.of("--set", "iterations=1000000"));
        }
        return new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("process-" + trial + ".log").toFile()).start();
    }
}
