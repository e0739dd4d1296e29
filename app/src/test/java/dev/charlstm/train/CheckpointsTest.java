package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Checkpoints} and the {@link BestWeights} it writes first. */
class CheckpointsTest {

    @TempDir
    Path dir;

    private final TrainConfig config = TinyModels.config();
    private final ModelMetadata metadata = TinyModels.metadata(config);

    @Test
    void aCheckpointIsDueWhenForcedOrWhenItsIntervalIsZero() {
        TrainingOutput output = new TrainingOutput(dir);
        MultiLayerNetwork net = TinyModels.network(config);
        BestWeights best = new BestWeights(net, output.bestCheckpoint());

        assertThat(new Checkpoints(config.with("checkpoint_seconds", 0), output, best).due(false)).isTrue();
        Checkpoints throttled = new Checkpoints(config.with("checkpoint_seconds", 3600), output, best);
        assertThat(throttled.due(false)).isFalse();
        assertThat(throttled.due(true)).isTrue();
    }

    @Test
    void writesTheUnsavedBestThenLatestAndRemembersTheIteration() throws Exception {
        TrainingOutput output = new TrainingOutput(dir);
        MultiLayerNetwork net = TinyModels.network(config);
        BestWeights best = new BestWeights(net, output.bestCheckpoint());
        Checkpoints checkpoints = new Checkpoints(config, output, best);
        TrainingState state = new TrainingState();
        state.iteration = 7;
        assertThat(checkpoints.lastIteration()).isEqualTo(-1);

        best.remember(metadata, state.toJson());
        double[] bestParams = net.params().toDoubleVector();
        net.params().addi(1); // the weights move on after the best was taken
        checkpoints.write(net, metadata, state);

        assertThat(checkpoints.lastIteration()).isEqualTo(7);
        ModelFile.Loaded savedBest = ModelFile.load(output.bestCheckpoint(), true);
        assertThat(savedBest.network().params().toDoubleVector()).containsExactly(bestParams);
        ModelFile.Loaded latest = ModelFile.load(output.latestCheckpoint(), true);
        assertThat(latest.network().params().toDoubleVector()).containsExactly(net.params().toDoubleVector());
        assertThat(TrainingState.fromJson(latest.checkpointState().orElseThrow()).iteration).isEqualTo(7);

        Files.delete(output.bestCheckpoint());
        checkpoints.write(net, metadata, state);
        assertThat(output.bestCheckpoint()).as("the best was saved already: not written again").doesNotExist();
    }

    @Test
    void theBestNetworkComesFromMemoryOrElseFromBestZip() throws Exception {
        TrainingOutput output = new TrainingOutput(dir);
        MultiLayerNetwork net = TinyModels.network(config);
        BestWeights none = new BestWeights(net, output.bestCheckpoint());
        assertThat(none.network()).as("neither in memory nor on disk").isNull();

        BestWeights first = new BestWeights(net, output.bestCheckpoint());
        first.remember(metadata, new TrainingState().toJson());
        double[] remembered = net.params().toDoubleVector();
        first.writeUnsaved();
        net.params().addi(1);
        assertThat(first.network().params().toDoubleVector()).containsExactly(remembered);

        BestWeights resumed = new BestWeights(net, output.bestCheckpoint());
        assertThat(resumed.network().params().toDoubleVector()).containsExactly(remembered);
    }
}
