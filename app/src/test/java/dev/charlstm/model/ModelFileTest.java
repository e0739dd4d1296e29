package dev.charlstm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.charlstm.generate.InvalidModelException;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.testing.Zips;
import dev.charlstm.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelFileTest {

    @TempDir
    Path dir;

    private final TrainConfig config = TinyModels.config();

    @Test
    void roundTripGivesTheSameNetworkAndMetadata() throws Exception {
        MultiLayerNetwork net = TinyModels.network(config);
        Path file = dir.resolve("model.zip");
        ModelFile.save(file, net, TinyModels.metadata(config));

        ModelFile.Loaded loaded = ModelFile.load(file);
        assertThat(loaded.metadata()).usingRecursiveComparison().ignoringFields("hyperparameters")
                .isEqualTo(TinyModels.metadata(config));
        assertThat(TrainConfig.fromMap(loaded.metadata().hyperparameters())).isEqualTo(config);
        assertThat(loaded.checkpointState()).isEmpty();
        INDArray input = Nd4j.create(new float[] {55, 17, 10}, new long[] {1, 1, 3}, 'c');
        assertThat(loaded.network().output(input)).isEqualTo(net.output(input));
        assertThat(loaded.network().getLayerWiseConfigurations().getConf(2).getLayer().toString())
                .contains("PerCharacterCrossEntropy(10)");
        try (ZipFile zip = new ZipFile(file.toFile())) {
            assertThat(zip.getEntry("updaterState.bin")).isNull();
            assertThat(zip.getEntry("charlstm/metadata.json")).isNotNull();
        }
    }

    @Test
    void checkpointKeepsOptimiserAndTrainerState() throws Exception {
        MultiLayerNetwork net = TinyModels.network(config);
        Path file = dir.resolve("latest.zip");
        ModelFile.saveCheckpoint(file, net, TinyModels.metadata(config), "{\"iteration\":4}".getBytes());
        ModelFile.Loaded loaded = ModelFile.load(file, true);
        assertThat(new String(loaded.checkpointState().orElseThrow())).isEqualTo("{\"iteration\":4}");
        assertThat(loaded.network().getUpdater().getStateViewArray()).isNotNull();
        assertThat(Files.list(dir)).containsExactly(file); // no temporary file left behind
    }

    @Test
    void missingOrNonZipFilesAreNamed() throws Exception {
        Path missing = dir.resolve("none.zip");
        assertThatThrownBy(() -> ModelFile.load(missing)).isInstanceOf(InvalidModelException.class)
                .hasMessage(missing + ": no such file");
        Path text = dir.resolve("notes.zip");
        Files.writeString(text, "hello");
        assertThatThrownBy(() -> ModelFile.load(text)).hasMessageStartingWith(text + ": not a readable zip file");
    }

    @Test
    void truncatedFileIsAClearError() throws Exception {
        Path file = dir.resolve("model.zip");
        ModelFile.save(file, TinyModels.network(config), TinyModels.metadata(config));
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.zip");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> ModelFile.load(cut)).isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith(cut + ": not a readable zip file");
    }

    @Test
    void zipWithoutTheNetworkOrMetadataIsNotAModel() throws Exception {
        Path file = dir.resolve("model.zip");
        ModelFile.save(file, TinyModels.network(config), TinyModels.metadata(config));
        Path noMeta = rewrite(file, "without-meta.zip", "charlstm/metadata.json", null);
        assertThatThrownBy(() -> ModelFile.load(noMeta))
                .hasMessage(noMeta + ": not a charlstm model (the zip has no charlstm/metadata.json)");
        Path noWeights = rewrite(file, "without-weights.zip", "coefficients.bin", null);
        assertThatThrownBy(() -> ModelFile.load(noWeights))
                .hasMessage(noWeights + ": not a charlstm model (the zip has no coefficients.bin)");
        assertThatThrownBy(() -> ModelFile.load(file, true))
                .hasMessage(file + ": has no optimiser state, so training cannot resume from it");
    }

    @Test
    void newerOrForeignFormatsAreRefused() throws Exception {
        Path file = dir.resolve("model.zip");
        ModelFile.save(file, TinyModels.network(config), TinyModels.metadata(config));
        ObjectMapper json = new ObjectMapper();
        ObjectNode meta = (ObjectNode) json.readTree(TinyModels.metadata(config).toJson());
        Path newer = rewrite(file, "newer.zip", "charlstm/metadata.json",
                json.writeValueAsBytes(meta.deepCopy().put("format_version", 3)));
        assertThatThrownBy(() -> ModelFile.load(newer)).hasMessage(newer
                + ": was written in format version 3 by a newer charlstm; this version reads up to 2");
        Path foreign = rewrite(file, "foreign.zip", "charlstm/metadata.json",
                json.writeValueAsBytes(meta.deepCopy().put("format", "something-else")));
        assertThatThrownBy(() -> ModelFile.load(foreign)).hasMessageContaining("format is 'something-else'");
        Path garbled = rewrite(file, "garbled.zip", "charlstm/metadata.json", "{not json".getBytes());
        assertThatThrownBy(() -> ModelFile.load(garbled)).hasMessageContaining("is not valid metadata");
        Path otherVocabulary = rewrite(file, "vocab.zip", "charlstm/metadata.json",
                json.writeValueAsBytes(meta.deepCopy().put("vocabulary", "abc")));
        assertThatThrownBy(() -> ModelFile.load(otherVocabulary))
                .hasMessage(otherVocabulary + ": the network has 100 outputs but the vocabulary has 3 characters");
    }

    // --- entries larger than they can be (zip bombs) --------------------------------------------

    @Test
    void aHugeCheckpointOrMetadataEntryIsRefusedByItsLimitNotReadWhole() throws Exception {
        Path file = dir.resolve("latest.zip");
        ModelFile.saveCheckpoint(file, TinyModels.network(config), TinyModels.metadata(config), "{}".getBytes());
        long size = 64L << 20;
        Path state = Zips.rewriteWithZeros(file, dir.resolve("state-bomb.zip"), "charlstm/checkpoint.json", size);
        assertThat(Files.size(state)).isLessThan(1 << 20);
        assertThatThrownBy(() -> ModelFile.load(state)).isInstanceOf(InvalidModelException.class)
                .hasMessage(state + ": its charlstm/checkpoint.json is 67,108,864 bytes uncompressed, more than the "
                        + "33,554,432 bytes it can legitimately be (the trainer's state is a few megabytes at most); "
                        + "refused without reading it");
        Path meta = Zips.rewriteWithZeros(file, dir.resolve("meta-bomb.zip"), "charlstm/metadata.json", size);
        assertThatThrownBy(() -> ModelFile.load(meta)).isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith(meta + ": its charlstm/metadata.json is 67,108,864 bytes uncompressed");
    }

    @Test
    void weightsLargerThanTheConfigurationsParameterCountAreRefusedWithTheReason() throws Exception {
        MultiLayerNetwork net = TinyModels.network(config);
        Path file = dir.resolve("model.zip");
        ModelFile.save(file, net, TinyModels.metadata(config));
        long limit = net.numParams() * 8 + ModelFile.ARRAY_HEADER_LIMIT;
        Path bomb = Zips.rewriteWithZeros(file, dir.resolve("weights-bomb.zip"), "coefficients.bin", 256L << 20);
        assertThatThrownBy(() -> ModelFile.load(bomb)).isInstanceOf(InvalidModelException.class)
                .hasMessage(String.format("%s: its coefficients.bin is 268,435,456 bytes uncompressed, more than the "
                        + "%,d bytes it can legitimately be (its configuration has %d parameters); refused without "
                        + "reading it", bomb, limit, net.numParams()));
        // The same bomb with the central directory claiming a small size: inflated only up to the limit.
        Zips.declareSize(bomb, "coefficients.bin", 1000);
        assertThatThrownBy(() -> ModelFile.load(bomb)).isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith(bomb + ": its coefficients.bin is larger than that uncompressed, more than the "
                        + String.format("%,d", limit) + " bytes");
    }

    @Test
    void aSamplerNeverReadsTheOptimiserStateSoOnlyTrainingRefusesAHugeOne() throws Exception {
        MultiLayerNetwork net = TinyModels.network(config);
        Path file = dir.resolve("latest.zip");
        ModelFile.saveCheckpoint(file, net, TinyModels.metadata(config), "{}".getBytes());
        Path bomb = Zips.rewriteWithZeros(file, dir.resolve("updater-bomb.zip"), "updaterState.bin", 256L << 20);
        INDArray input = Nd4j.create(new float[] {55, 17, 10}, new long[] {1, 1, 3}, 'c');
        assertThat(ModelFile.load(bomb).network().output(input)).isEqualTo(net.output(input));
        assertThatThrownBy(() -> ModelFile.load(bomb, true)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("its updaterState.bin is 268,435,456 bytes uncompressed")
                .hasMessageContaining("the optimiser keeps at most 3 values for each of the " + net.numParams()
                        + " parameters");
    }

    private Path rewrite(Path source, String name, String entry, byte[] replacement) throws IOException {
        return Zips.rewrite(source, dir.resolve(name), entry, replacement);
    }
}
