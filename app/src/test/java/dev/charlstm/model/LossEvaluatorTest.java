package dev.charlstm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.testing.TinyModels;
import dev.charlstm.text.Vocabulary;
import dev.charlstm.train.TrainConfig;
import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class LossEvaluatorTest {

    private final TrainConfig config = TinyModels.config(); // tBPTT 10
    private final MultiLayerNetwork net = TinyModels.network(config);
    private final int[] ids = Vocabulary.printable().encode("Masks are required indoors.");

    @Test
    void perCharacterLossMatchesDl4jsOwnScoreAndAHandComputation() {
        int[] window = Arrays.copyOf(ids, 11); // 10 inputs, 10 targets: one tBPTT segment
        float[] x = new float[10];
        INDArray y = Nd4j.zeros(1, 100, 10);
        for (int t = 0; t < 10; t++) {
            x[t] = window[t];
            y.putScalar(new long[] {0, window[t + 1], t}, 1);
        }
        INDArray features = Nd4j.create(x, new long[] {1, 1, 10}, 'c');
        INDArray probs = net.output(features);
        double byHand = 0;
        for (int t = 0; t < 10; t++) {
            byHand -= Math.log(probs.getDouble(0, window[t + 1], t));
        }
        byHand /= 10;
        assertThat(net.score(new DataSet(features, y))).isCloseTo(byHand, within(1e-4));
        assertThat(LossEvaluator.nats(net, window, 1, 10)).isCloseTo(byHand, within(1e-4));
        assertThat(byHand).isCloseTo(Math.log(100), within(0.5)); // untrained: near uniform
    }

    @Test
    void stateIsCarriedAcrossSegments() {
        double whole = LossEvaluator.nats(net, ids, 1, 1000);
        double segmented = LossEvaluator.nats(net, ids, 1, 3);
        assertThat(segmented).isCloseTo(whole, within(1e-5));
        assertThat(LossEvaluator.nats(net, ids, 4, 5)).isNotCloseTo(whole, within(1e-9));
    }

    @Test
    void bitsAreNatsOverLnTwo() {
        assertThat(LossEvaluator.bitsPerChar(Math.log(2))).isCloseTo(1.0, within(1e-12));
    }
}
