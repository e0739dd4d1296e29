package dev.charlstm.testing;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.model.ModelFile;
import dev.charlstm.text.Vocabulary;
import dev.charlstm.train.TestNetworks;
import dev.charlstm.train.TrainConfig;
import dev.charlstm.train.Training;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Networks small enough to train in a test. */
public final class TinyModels {

    private TinyModels() {}

    /** A configuration for a model of a few thousand parameters, trained in seconds. */
    public static TrainConfig config() {
        return TrainConfig.defaults().withOverrides(List.of("embedding_size=8", "hidden_size=16", "layers=1",
                "dropout=0.3", "chunk_length=20", "tbptt_length=10", "batch_size=8", "eval_every=10", "iterations=30",
                "sample_length=20", "patience=0", "max_seconds=600", "plan=off", "checkpoint_seconds=0"));
    }

    public static MultiLayerNetwork network(TrainConfig config) {
        return TestNetworks.build(config, Vocabulary.printable().size());
    }

    /** A two-layer network with weights scaled up, so that its probabilities are far from uniform. */
    public static MultiLayerNetwork peakyNetwork() {
        MultiLayerNetwork net = network(config().with("layers", 2));
        net.params().muli(4);
        return net;
    }

    /** Saves {@link #peakyNetwork()} as a model file. */
    public static MultiLayerNetwork savePeaky(Path file) throws IOException {
        MultiLayerNetwork net = peakyNetwork();
        ModelFile.save(file, net, metadata(config().with("layers", 2)));
        return net;
    }

    /** Trains a tiny model on {@code corpus} ({@link #config()} plus {@code overrides}), or resumes one. */
    public static Training.Summary train(Path corpus, Path out,
            Path resume, String... overrides) throws Exception {
        List<String> sets = new ArrayList<>(List.of(overrides));
        sets.add("corpus=" + corpus);
        TrainConfig config = config().withOverrides(sets);
        return Training.prepare(
                new Training.Request(config, sets, out, resume, false)).execute();
    }

    public static ModelMetadata metadata(TrainConfig config) {
        return new ModelMetadata(ModelMetadata.FORMAT, ModelMetadata.FORMAT_VERSION, Vocabulary.printable().chars(),
                new ModelMetadata.Normalization(1, "test"), config.asMap(),
                new ModelMetadata.Training("00", 0, "test", 0, null, null, "2026-11-30T00:00:00Z", "cpu", "test", null, null));
    }
}
