package dev.charlstm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.format.PlainWeights;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.network.LstmShape;
import dev.charlstm.network.LstmWeights;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.testing.Zips;
import dev.charlstm.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** The plain weights train writes beside DL4J's, the layout that reads them, and upgrading old files. */
class PlainWeightsInModelFileTest {

    @TempDir
    Path dir;

    private final TrainConfig config = TinyModels.config().with("layers", "2");

    @Test
    void everyPlainTensorIsDl4jsParameterInRowMajorOrder() {
        MultiLayerNetwork net = TinyModels.network(config);
        net.params().assign(Nd4j.rand(net.params().dataType(), net.params().shape()));
        ParameterLayout layout = ParameterLayout.of(net);
        LstmWeights w = ParameterLayout.weightsOf(net);
        assertThat(w.shape()).isEqualTo(new LstmShape(layout.vocabulary(), layout.embedding(), layout.hidden(), 2));
        List<float[]> dl4j = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer l = net.getLayer(i);
            dl4j.add(l.getParam("W").dup('c').data().asFloat());
            if (i > 0 && i < net.getnLayers() - 1) {
                dl4j.add(l.getParam("RW").dup('c').data().asFloat());
            }
            if (i > 0) {
                dl4j.add(l.getParam("b").dup('c').data().asFloat());
            }
        }
        assertThat(w.tensors()).hasSameSizeAs(dl4j);
        for (int t = 0; t < dl4j.size(); t++) {
            assertThat(w.tensors().get(t)).as(w.shape().tensors().get(t).name()).containsExactly(dl4j.get(t));
        }
        assertThatThrownBy(() -> layout.weights(new float[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected " + layout.length() + " parameters, got 3");
    }

    @Test
    void charlstmsEntriesComeFirstSoTheLibraryStopsBeforeDl4js() throws Exception {
        Path file = dir.resolve("model.zip");
        ModelFile.save(file, TinyModels.network(config), TinyModels.metadata(config));
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
            assertThat(names.subList(0, 3)).containsExactly(ModelMetadata.ENTRY, PlainWeights.LAYOUT_ENTRY,
                    PlainWeights.DATA_ENTRY);
            assertThat(names).contains("configuration.json", "coefficients.bin");
            assertThat(ModelMetadata.parse(zip.getInputStream(zip.getEntry(ModelMetadata.ENTRY)).readAllBytes())
                    .formatVersion()).isEqualTo(ModelMetadata.FORMAT_VERSION);
        }
    }

    @Test
    void upgradingAnOldModelMakesItLoadableWithTheSameText() throws Exception {
        Path current = dir.resolve("current.zip");
        MultiLayerNetwork net = TinyModels.network(config);
        ModelFile.save(current, net, TinyModels.metadata(config));
        Path old = Zips.withoutPlainWeights(current, dir.resolve("old.zip"));
        assertThatThrownBy(() -> Generator.load(old)).hasMessageContaining("charlstm upgrade-model " + old);
        assertThat(ModelFile.load(old).metadata().formatVersion()).as("the application still reads it").isEqualTo(1);

        assertThat(ModelFile.upgrade(old)).isEqualTo(new ModelFile.Upgrade(1, ModelMetadata.FORMAT_VERSION, true));
        GenerationOptions options = GenerationOptions.builder().length(60).seed(9L).build();
        assertThat(Generator.load(old).generate(options)).isEqualTo(Generator.load(current).generate(options));
        assertThat(ModelFile.upgrade(old)).isEqualTo(
                new ModelFile.Upgrade(ModelMetadata.FORMAT_VERSION, ModelMetadata.FORMAT_VERSION, false));
        assertThat(Files.list(dir)).containsExactlyInAnyOrder(current, old); // no temporary file left behind
    }

    @Test
    void upgradingACheckpointKeepsItsOptimiserAndTrainerState() throws Exception {
        Path current = dir.resolve("latest.zip");
        MultiLayerNetwork net = TinyModels.network(config);
        ModelFile.saveCheckpoint(current, net, TinyModels.metadata(config), "{\"iteration\":4}".getBytes());
        Path old = Zips.withoutPlainWeights(current, dir.resolve("old.zip"));
        ModelFile.upgrade(old);
        ModelFile.Loaded loaded = ModelFile.load(old, true);
        assertThat(new String(loaded.checkpointState().orElseThrow())).isEqualTo("{\"iteration\":4}");
        assertThat(loaded.network().getUpdater().getStateViewArray())
                .isEqualTo(ModelFile.load(current, true).network().getUpdater().getStateViewArray());
        assertThat(loaded.metadata().formatVersion()).isEqualTo(ModelMetadata.FORMAT_VERSION);
    }
}
