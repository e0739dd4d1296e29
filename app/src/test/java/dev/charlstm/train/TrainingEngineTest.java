package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.corpus.ChunkSampler;
import dev.charlstm.model.Backend;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.text.Vocabulary;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

class TrainingEngineTest {

    private final int vocabulary = Vocabulary.printable().size();

    private ChunkSampler sampler(TrainConfig config) {
        int[] text = IntStream.range(0, 2_000).map(i -> (i * 7) % vocabulary).toArray();
        return new ChunkSampler(text, vocabulary, config.chunkLength(), config.batchSize());
    }

    @Test
    void eachEngineOpensItsOwnStepAndTheStepTrains() {
        TrainConfig config = TinyModels.config();
        for (TrainingEngine engine : TrainingEngine.values()) {
            TrainConfig c = engine == TrainingEngine.DL4J ? config.with("chunk_length", 10) : config;
            MultiLayerNetwork net = TinyModels.network(c);
            try (FitStep step = engine.open(net, c, sampler(c), 1)) {
                assertThat(step).isInstanceOf(engine == TrainingEngine.DL4J ? Dl4jFit.class : TruncatedFit.class);
                double first = step.fit(0);
                assertThat(first).as(engine.key()).isFinite().isPositive();
                double later = first;
                for (int i = 1; i < 20; i++) {
                    later = step.fit(i);
                }
                assertThat(later).as(engine.key() + " learns").isLessThan(first);
            }
        }
    }

    @Test
    void threadsAreBlasShardsOrNd4jThreads() {
        TrainConfig config = TinyModels.config().with("threads", 3);
        assertThat(TrainingEngine.BLAS.threads(config)).isEqualTo(3);
        assertThat(TrainingEngine.ND4J.threads(config)).isEqualTo(Backend.threads());
        assertThat(TrainingEngine.DL4J.threads(config)).isEqualTo(Backend.threads());
    }

    @Test
    void theKeyIsTheConfigurationSpelling() {
        for (TrainingEngine engine : TrainingEngine.values()) {
            assertThat(TrainConfig.defaults().with("engine", engine.key()).engine().name()).isEqualTo(engine.name());
        }
    }
}
