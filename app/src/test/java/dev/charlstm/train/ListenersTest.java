package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two {@link TrainingListener}s, {@link LossChart} and {@link ProgressReport}, and {@link SampleLog}. */
class ListenersTest {

    @TempDir
    Path dir;

    private static TrainingState someIterations() {
        TrainingState s = new TrainingState();
        for (int i = 0; i < 5; i++) {
            s.recordIteration(4.0 - i * 0.1, 100, i);
        }
        s.evaluations.add(new TrainingState.Evaluation(5, 5, 3.6, 3.7));
        return s;
    }

    @Test
    void theChartIsRedrawnAfterACheckpointAndAtTheEndOnly() throws Exception {
        Path png = dir.resolve("loss.png");
        LossChart chart = new LossChart(png, "test");
        TrainingState state = someIterations();

        chart.onValidation(state, 3.7, false);
        assertThat(png).doesNotExist();
        chart.onValidation(state, 3.7, true);
        assertThat(png).exists();
        Files.delete(png);
        chart.onEnd(state, Trainer.Outcome.ITERATIONS);
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void aChartThatCannotBeWrittenIsOnlyAWarning() throws Exception {
        Path blocker = Files.writeString(dir.resolve("file"), "not a directory");
        LossChart chart = new LossChart(blocker.resolve("loss.png"), "test");

        chart.redraw(someIterations()); // must not throw

        assertThat(Files.isRegularFile(blocker.resolve("loss.png"))).isFalse();
    }

    @Test
    void theProgressAimsAtWhicheverLimitComesFirst() {
        List<long[]> updates = new ArrayList<>();
        Progress recorder = new Progress() {
            @Override
            void update(long iteration, long expectedLast, double loss, double charsPerSecond, double eta) {
                updates.add(new long[] {iteration, expectedLast, Math.round(eta)});
            }
        };
        TrainConfig config = TinyModels.config().with("iterations", 1_000_000).with("max_seconds", 100);
        long started = System.nanoTime() - 10_000_000_000L; // the loop started 10 s ago
        ProgressReport report = new ProgressReport(recorder, config, 0, started, 0);
        TrainingState state = new TrainingState();
        for (int i = 0; i < 10; i++) {
            state.recordIteration(3.0, 100, 0);
        }

        report.onIteration(state, 3.0);

        // 1 s per iteration and 90 s left: about iteration 100, long before the iteration limit.
        long[] u = updates.get(0);
        assertThat(u[0]).isEqualTo(10);
        assertThat(u[1]).isBetween(98L, 100L);
        assertThat(u[2]).isBetween(88L, 90L);
    }

    @Test
    void aSampleFromAMissingCheckpointSaysWhyThereIsNone() {
        String block = new SampleLog(TinyModels.config()).from(dir.resolve("none.zip"), 3);

        assertThat(block).startsWith("\n--- sample (T=0.8) ---\n(no sample: ").endsWith(")\n---");
    }
}
