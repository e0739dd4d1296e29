package dev.charlstm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.model.ParameterLayout;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CharLstmTest {

    private static final String TEXT = "Where can I get a COVID-19 test on campus?\n";

    static MultiLayerNetwork network() {
        return TinyModels.peakyNetwork();
    }

    @Test
    void steppingOneCharacterAtATimeMatchesDl4jOnTheWholeSequence() {
        MultiLayerNetwork net = network();
        int[] ids = Vocabulary.printable().encode(TEXT);
        float[] x = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            x[i] = ids[i];
        }
        INDArray whole = net.output(Nd4j.create(x, new long[] {1, 1, ids.length}, 'c')); // [1, V, T]

        CharLstm lstm = CharLstm.from(ParameterLayout.weightsOf(net));
        CharLstm.State state = lstm.newState();
        float[] logits = new float[100];
        CharLstm.Scratch gates = lstm.scratch(1);
        double[] probs = new double[100];
        double maxDifference = 0;
        for (int t = 0; t < ids.length; t++) {
            lstm.step(ids[t], state, logits, gates);
            NextCharacter.softmax(logits, 1.0, probs);
            for (int v = 0; v < 100; v++) {
                maxDifference = Math.max(maxDifference, Math.abs(probs[v] - whole.getDouble(0, v, t)));
            }
        }
        assertThat(maxDifference).isLessThan(1e-5);
        assertThat(whole.maxNumber().doubleValue()).as("probabilities are far from uniform").isGreaterThan(0.1);
    }

    @Test
    void stateCarriesTheWholeContext() {
        CharLstm lstm = CharLstm.from(ParameterLayout.weightsOf(network()));
        float[] a = new float[100];
        float[] b = new float[100];
        CharLstm.Scratch gates = lstm.scratch(1);
        CharLstm.State s1 = lstm.newState();
        CharLstm.State s2 = lstm.newState();
        lstm.step(10, s1, a, gates);
        lstm.step(11, s2, b, gates);
        CharLstm.State s1copy = s1.copy();
        lstm.step(12, s1, a, gates);
        lstm.step(12, s2, b, gates);
        assertThat(a).isNotEqualTo(b); // same last character, different history
        lstm.step(12, s1copy, b, gates);
        assertThat(b).containsExactly(a, within(0f)); // a copied state continues identically
    }
}
