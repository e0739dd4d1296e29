package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.generate.Generator;
import dev.charlstm.model.ModelFile;
import dev.charlstm.model.ParameterLayout;
import dev.charlstm.text.Vocabulary;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One network definition behind both engines: the training engine's forward pass (BlasLstm, its
 * own time-major memory layout and BLAS products) and the library's sampler (CharLstm, one stream
 * at a time, from the plain weights in model.zip) give the same loss on the same text, also across
 * segments where the engine carries its state.
 */
class EngineMatchesSamplerTest {

    private static final String TEXT = "Where can I get a COVID-19 test on campus? Visit the UHS testing site, "
            + "open 8-4 weekdays; masks are required.";

    @TempDir
    Path dir;

    @Test
    void theTrainingEnginesLossIsTheSamplersLossOnTheSameWeights() throws Exception {
        Vocabulary vocabulary = Vocabulary.printable();
        TrainConfig c = TrainConfig.defaults().withOverrides(List.of("embedding_size=12", "hidden_size=20",
                "layers=2", "dropout=0", "seed=3"));
        MultiLayerNetwork net = NetworkFactory.build(c, vocabulary.size());
        // Large weights, so that every gate saturates somewhere and a wrong offset shows.
        net.params().assign(Nd4j.rand(net.params().dataType(), net.params().shape()).subi(0.5).muli(1.6));
        Path model = dir.resolve("model.zip");
        ModelFile.save(model, net, new ModelMetadata(ModelMetadata.FORMAT, ModelMetadata.FORMAT_VERSION,
                vocabulary.chars(), new ModelMetadata.Normalization(1, "test"), Map.of(), null));
        Generator sampler = Generator.load(model);

        int[] ids = vocabulary.encode(TEXT);
        int segment = (ids.length - 1) / 2;
        ParameterLayout layout = ParameterLayout.of(net);
        float[] gradient = new float[(int) layout.length()];
        double engineTotal = 0;
        try (BlasLstm engine = new BlasLstm(layout, 1, segment, segment, 1)) {
            for (int s = 0; s < 2; s++) {
                int[][] in = {Arrays.copyOfRange(ids, s * segment, (s + 1) * segment)};
                int[][] out = {Arrays.copyOfRange(ids, s * segment + 1, (s + 1) * segment + 1)};
                // DL4J's score: the summed loss divided by the sequence length (and the batch of 1).
                engineTotal += engine.segment(net.params(), in, out, segment, 1, gradient) * segment;
            }
        }
        String scored = TEXT.substring(0, 2 * segment + 1);
        double samplerTotal = sampler.score(scored).lossNats() * (2 * segment);
        assertThat(engineTotal).isCloseTo(samplerTotal, within(1e-4 * samplerTotal));
        assertThat(samplerTotal / (2 * segment)).as("far from a uniform guess").isNotCloseTo(Math.log(100), within(0.3));
    }
}
