package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.corpus.ChunkSampler;
import dev.charlstm.corpus.Corpus;
import dev.charlstm.corpus.Vocabulary;
import dev.charlstm.model.LossEvaluator;
import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.TinyModels;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The fused LSTM path against DL4J's own loop: same outputs, same training, same state handling. */
class FusedLstmHelperTest {

    /** Two layers, two truncated-BPTT segments per chunk (so state is carried in), no dropout. */
    private final TrainConfig config = TinyModels.config().withOverrides(java.util.List.of(
            "layers=2", "hidden_size=24", "chunk_length=30", "tbptt_length=10", "dropout=0"));

    private MultiLayerNetwork pair(boolean fused) {
        MultiLayerNetwork net = NetworkFactory.build(config, 100); // same seed: same initial weights
        if (fused) {
            FusedLstmHelper.install(net);
        }
        return net;
    }

    @Test
    void gateBlocksRoundTrip() {
        INDArray w = Nd4j.arange(0, 24).reshape(3, 8).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        INDArray op = FusedLstmHelper.reorder(w, new int[] {2, 1, 3, 0}, null);
        // DL4J's [block input, forget, output, input gate] becomes [input gate, forget, block input, output].
        assertThat(op.getRow(0).toFloatVector()).containsExactly(6, 7, 2, 3, 0, 1, 4, 5);
        INDArray back = Nd4j.create(w.dataType(), 3, 8);
        FusedLstmHelper.reorder(op, new int[] {3, 1, 0, 2}, back);
        assertThat(back).isEqualTo(w);
    }

    @Test
    void trainsExactlyLikeTheStockLayerWithinFloatTolerance() throws Exception {
        Corpus corpus = Corpus.fromText(Fixtures.faqText().substring(0, 8000), Vocabulary.printable(), false);
        ChunkSampler sampler = new ChunkSampler(corpus.split(0.1).train(), 100, config.chunkLength(), config.batchSize());
        MultiLayerNetwork stock = pair(false);
        MultiLayerNetwork fused = pair(true);
        INDArray probe = sampler.batch(9, 0).getFeatures();
        assertThat(maxDifference(stock.output(probe), fused.output(probe))).isLessThan(1e-6);

        for (int i = 0; i < 8; i++) {
            stock.fit(sampler.batch(1, i));
            fused.fit(sampler.batch(1, i));
            assertThat(Math.abs(stock.score() - fused.score())).as("loss at iteration %d", i).isLessThan(1e-5);
        }
        assertThat(maxDifference(stock.params(), fused.params())).isLessThan(1e-5);
        for (int layer : new int[] {1, 2}) {
            var lstm = (org.deeplearning4j.nn.layers.recurrent.LSTM) fused.getLayer(layer);
            FusedLstmHelper helper = (FusedLstmHelper) lstm.getHelper();
            assertThat(helper.forwardCalls).isGreaterThanOrEqualTo(8 * 3);
            // 8 iterations x 3 segments of 10: after a failure DL4J would have fallen back to its own loop.
            assertThat(helper.backwardCalls).isEqualTo(8 * 3);
        }
        assertThat(maxDifference(stock.params(), NetworkFactory.build(config, 100).params()))
                .as("training moved the weights").isGreaterThan(1e-3);

        // Stateful inference (rnnTimeStep, as validation uses it) carries h and c the same way.
        int[] validation = corpus.split(0.1).validation();
        assertThat(LossEvaluator.nats(fused, validation, 4, 7))
                .isCloseTo(LossEvaluator.nats(stock, validation, 4, 7), org.assertj.core.data.Offset.offset(1e-5));
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }
}
