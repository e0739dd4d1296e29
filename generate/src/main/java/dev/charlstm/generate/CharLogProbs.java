package dev.charlstm.generate;

import java.util.List;

/**
 * What the model thought of one generated character: its log-probability and the likeliest
 * characters at that position, all under the model's own distribution (temperature 1, before
 * top-k and top-p), so the figures describe the model rather than the sampling options.
 *
 * @param character the character drawn
 * @param logProb   its natural-log probability
 * @param top       the likeliest characters at this position, most likely first
 */
public record CharLogProbs(char character, double logProb, List<Alternative> top) {

    /** One candidate character and its natural-log probability. */
    public record Alternative(char character, double logProb) {}

    public CharLogProbs {
        top = List.copyOf(top);
    }

    /** Log-probabilities from raw logits; {@code topN} alternatives, ties broken by vocabulary index. */
    static CharLogProbs of(float[] logits, int chosen, int topN, String vocabulary) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double logSum = max + Math.log(sum);
        Alternative[] best = new Alternative[Math.min(topN, logits.length)];
        int kept = 0;
        // A partial insertion sort: topN is at most a handful, the vocabulary about a hundred.
        for (int i = 0; i < logits.length && best.length > 0; i++) {
            double lp = logits[i] - logSum;
            if (kept == best.length && lp <= best[kept - 1].logProb()) {
                continue;
            }
            int at = kept == best.length ? kept - 1 : kept++;
            while (at > 0 && best[at - 1].logProb() < lp) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = new Alternative(vocabulary.charAt(i), lp);
        }
        return new CharLogProbs(vocabulary.charAt(chosen), logits[chosen] - logSum, List.of(best).subList(0, kept));
    }
}
