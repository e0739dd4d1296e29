package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.TinyModels;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;

class WarmupCosineScheduleTest {

    @TempDir
    Path dir;

    @Test
    void warmsUpLinearlyThenFollowsHalfACosineToTheFloor() {
        WarmupCosineSchedule s = new WarmupCosineSchedule(0.01, 10, 110, 0.1);
        assertThat(s.valueAt(0, 0)).isCloseTo(0.001, within(1e-12));
        assertThat(s.valueAt(4, 0)).isCloseTo(0.005, within(1e-12));
        assertThat(s.valueAt(10, 0)).as("the peak where the warm-up ends").isCloseTo(0.01, within(1e-12));
        assertThat(s.valueAt(60, 0)).as("half way down the cosine").isCloseTo(0.01 * (0.1 + 0.9 * 0.5), within(1e-12));
        assertThat(s.valueAt(110, 0)).isCloseTo(0.001, within(1e-12));
        assertThat(s.valueAt(5_000, 0)).as("the floor after the end").isCloseTo(0.001, within(1e-12));
        for (int i = 11; i < 110; i++) {
            assertThat(s.valueAt(i, 0)).isLessThan(s.valueAt(i - 1, 0));
        }
        assertThatThrownBy(() -> new WarmupCosineSchedule(0.01, 10, 10, 0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theNetworkCarriesTheScheduleThroughItsModelFileSoAResumeContinuesIt() throws Exception {
        TrainConfig c = TinyModels.config().with("lr_schedule", "cosine").with("lr_schedule_end", 50);
        MultiLayerNetwork net = TinyModels.network(c);
        int segments = c.chunkLength() / c.tbpttLength();
        var expected = new WarmupCosineSchedule(c.learningRate(), 50 * segments / 20, 50 * segments, 0.1);
        Adam adam = (Adam) ((BaseLayer) net.getLayer(1).conf().getLayer()).getIUpdater();
        assertThat(adam.getLearningRateSchedule()).isEqualTo(expected);

        Path file = dir.resolve("model.zip");
        ModelFile.save(file, net, TinyModels.metadata(c));
        MultiLayerNetwork loaded = ModelFile.load(file).network();
        Adam restored = (Adam) ((BaseLayer) loaded.getLayer(1).conf().getLayer()).getIUpdater();
        assertThat(restored.getLearningRateSchedule()).isEqualTo(expected);
        assertThat(restored.getLearningRate(30, 0)).isCloseTo(expected.valueAt(30, 0), within(1e-12));
    }

    @Test
    void aPlannedCosineRunDecaysWhereThePlannedIterationsEnd() throws Exception {
        TrainConfig c = TrainConfig.defaults().with("lr_schedule", "cosine").with("max_seconds", 100_000)
                .with("iterations", 123);
        RunPlan plan = Planner.plan(c, java.util.Set.of(), 70_000, candidate -> 1e6, LossCurves.bundled());
        assertThat(plan.config().lrScheduleEnd()).isEqualTo(123);
        RunPlan kept = Planner.plan(c.with("lr_schedule_end", 77), java.util.Set.of("lr_schedule_end"),
                70_000, candidate -> 1e6, LossCurves.bundled());
        assertThat(kept.config().lrScheduleEnd()).isEqualTo(77);
    }
}
