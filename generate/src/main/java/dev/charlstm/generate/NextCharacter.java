package dev.charlstm.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next character from logits: softmax at the temperature, then top-k (the k likeliest
 * characters, renormalised), then top-p (nucleus) on those renormalised probabilities (the fewest
 * likeliest characters whose share reaches p, renormalised again), then a draw. Temperature 0 is
 * greedy (argmax).
 */
final class NextCharacter {

    private final double temperature;
    private final int topK;
    private final double topP;
    private final double[] probs;
    private final Integer[] order;

    NextCharacter(double temperature, int topK, double topP, int vocabulary) {
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.probs = new double[vocabulary];
        this.order = new Integer[vocabulary];
    }

    int pick(float[] logits, SplittableRandom random) {
        if (temperature == 0) {
            return argmax(logits);
        }
        softmax(logits, temperature, probs);
        if (topK > 0 && topK < probs.length || topP < 1) {
            truncate();
        }
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] > 0) {
                cumulative += probs[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // rounding left u just above the total
    }

    /**
     * Keeps the top-k most likely characters, renormalises them, then keeps the smallest prefix of
     * those whose renormalised probabilities reach top-p, and renormalises again. Taking top-p of
     * the renormalised top-k is the usual order: top-p then means a share of what top-k left, not
     * of the whole distribution.
     */
    private void truncate() {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Ties broken by index so that the kept set never depends on the sort's stability.
        Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : Integer.compare(a, b));
        int keep = topK > 0 ? Math.min(topK, order.length) : order.length;
        if (topP < 1) {
            double topKMass = 0;
            for (int r = 0; r < keep; r++) {
                topKMass += probs[order[r]];
            }
            // Comparing mass / topKMass with topP is comparing the renormalised cumulative sum.
            // Without a top-k cut the mass is 1 up to rounding; topP alone keeps such draws exactly
            // as they were.
            double threshold = keep < order.length ? topP * topKMass : topP;
            double mass = 0;
            for (int r = 0; r < keep; r++) {
                mass += probs[order[r]];
                if (mass >= threshold) {
                    keep = r + 1;
                    break;
                }
            }
        }
        double kept = 0;
        for (int r = 0; r < order.length; r++) {
            if (r < keep) {
                kept += probs[order[r]];
            } else {
                probs[order[r]] = 0;
            }
        }
        for (int i = 0; i < probs.length; i++) {
            probs[i] /= kept;
        }
    }

    static void softmax(float[] logits, double temperature, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            out[i] = Math.exp((logits[i] - max) / temperature);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
