package dev.charlstm.generate;

import dev.charlstm.corpus.Vocabulary;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Samples text from a network one character at a time with a temperature, as the training loop
 * does at every validation. Uses the network's own stored recurrent state, so one instance per
 * thread; it leaves that state cleared.
 *
 * <pre>{@code
 * String text = TemperatureSampler.sample(net, Vocabulary.printable(), "Th", 200, 0.8, new Random(1));
 * }</pre>
 */
public final class TemperatureSampler {

    private TemperatureSampler() {}

    /**
     * @param prime       at least one character, all in the vocabulary
     * @param temperature 0 picks the most likely character; higher flattens the distribution
     * @return the prime followed by {@code length} sampled characters
     */
    public static String sample(MultiLayerNetwork net, Vocabulary vocabulary, String prime, int length,
                                double temperature, Random random) {
        if (prime.isEmpty()) {
            throw new IllegalArgumentException("the prime needs at least one character");
        }
        if (temperature < 0 || length < 0) {
            throw new IllegalArgumentException("temperature and length must be >= 0");
        }
        int[] ids = vocabulary.encode(prime);
        StringBuilder out = new StringBuilder(prime);
        net.rnnClearPreviousState();
        try {
            float[] x = new float[ids.length];
            for (int i = 0; i < ids.length; i++) {
                x[i] = ids[i];
            }
            INDArray probs = net.rnnTimeStep(Nd4j.create(x, new long[] {1, 1, ids.length}, 'c'));
            for (int i = 0; i < length; i++) {
                float[] last = probs.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(probs.size(2) - 1)).dup().data().asFloat();
                int next = pick(last, temperature, random);
                out.append(vocabulary.charAt(next));
                probs = net.rnnTimeStep(Nd4j.create(new float[] {next}, new long[] {1, 1, 1}, 'c'));
            }
        } finally {
            net.rnnClearPreviousState();
        }
        return out.toString();
    }

    /** Draws an index from softmax probabilities re-tempered: p_i^(1/T), renormalised. */
    static int pick(float[] probs, double temperature, Random random) {
        if (temperature == 0) {
            int best = 0;
            for (int i = 1; i < probs.length; i++) {
                if (probs[i] > probs[best]) {
                    best = i;
                }
            }
            return best;
        }
        // Relative to the most likely character, so that small temperatures cannot underflow to all zeros.
        float max = 0;
        for (float p : probs) {
            max = Math.max(max, p);
        }
        double[] w = new double[probs.length];
        double sum = 0;
        for (int i = 0; i < probs.length; i++) {
            w[i] = Math.exp(Math.log(Math.max(probs[i], 1e-30) / max) / temperature);
            sum += w[i];
        }
        double u = random.nextDouble() * sum;
        for (int i = 0; i < w.length; i++) {
            u -= w[i];
            if (u <= 0) {
                return i;
            }
        }
        return w.length - 1;
    }
}
