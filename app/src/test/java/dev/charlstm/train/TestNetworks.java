package dev.charlstm.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The test sources' one way into {@link NetworkFactory} from other packages. It lives in package
 * {@code train} (in the test tree) so that NetworkFactory itself need not be public for the sake
 * of test helpers such as {@code dev.charlstm.testing.TinyModels}; production code outside
 * {@code train} reaches networks only through Training and ModelFile.
 */
public final class TestNetworks {

    private TestNetworks() {}

    /** Exactly what training builds for {@code config} over {@code vocabularySize} characters. */
    public static MultiLayerNetwork build(TrainConfig config, int vocabularySize) {
        return NetworkFactory.build(config, vocabularySize);
    }
}
