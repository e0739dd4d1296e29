package dev.charlstm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NextCharacterTest {

    private static final float[] LOGITS = {2.0f, 1.0f, 0.5f, 0.0f, -1.0f, -3.0f};

    private static int[] histogram(NextCharacter next, int draws) {
        SplittableRandom random = new SplittableRandom(99);
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < draws; i++) {
            counts[next.pick(LOGITS, random)]++;
        }
        return counts;
    }

    @Test
    void drawsFollowTheTemperedSoftmax() {
        for (double temperature : new double[] {0.5, 1.0, 2.0}) {
            int draws = 40_000;
            int[] counts = histogram(new NextCharacter(temperature, 0, 1.0, LOGITS.length), draws);
            double[] p = new double[LOGITS.length];
            NextCharacter.softmax(LOGITS, temperature, p);
            for (int i = 0; i < p.length; i++) {
                double sigma = Math.sqrt(draws * p[i] * (1 - p[i]));
                assertThat((double) counts[i]).as("T=%s, character %d", temperature, i)
                        .isBetween(draws * p[i] - 5 * sigma - 1, draws * p[i] + 5 * sigma + 1);
            }
        }
    }

    @Test
    void temperatureZeroIsGreedy() {
        int[] counts = histogram(new NextCharacter(0, 0, 1.0, LOGITS.length), 100);
        assertThat(counts).containsExactly(100, 0, 0, 0, 0, 0);
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        int[] counts = histogram(new NextCharacter(1.0, 2, 1.0, LOGITS.length), 10_000);
        assertThat(counts[0] + counts[1]).isEqualTo(10_000);
        assertThat(counts[1]).isBetween(2_400, 3_300); // e^1/(e^2+e^1) = 0.269
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        double[] p = new double[LOGITS.length];
        NextCharacter.softmax(LOGITS, 1.0, p); // 0.573, 0.211, 0.128, 0.078, ...
        int[] counts = histogram(new NextCharacter(1.0, 0, 0.7, LOGITS.length), 10_000);
        assertThat(counts[0] + counts[1]).isEqualTo(10_000);
        int[] three = histogram(new NextCharacter(1.0, 0, 0.85, LOGITS.length), 10_000);
        assertThat(three[0] + three[1] + three[2]).isEqualTo(10_000);
        assertThat(three[2]).isPositive();
        assertThat(p[0] + p[1]).isLessThan(0.85);
    }

    /**
     * Top-k first, renormalised, then top-p on the renormalised probabilities. The top 3 hold
     * 0.573 + 0.211 + 0.128 = 0.912 of the mass; renormalised they are 0.628, 0.231, 0.140, so the
     * first two already reach 0.85 and the third must never be drawn. Compared against the raw
     * mass (0.784 < 0.85) the third was kept.
     */
    @Test
    void topPIsTakenOfTheRenormalisedTopK() {
        double[] p = new double[LOGITS.length];
        NextCharacter.softmax(LOGITS, 1.0, p);
        assertThat(p[0] + p[1]).isLessThan(0.85);
        assertThat((p[0] + p[1]) / (p[0] + p[1] + p[2])).isGreaterThan(0.85);
        int[] counts = histogram(new NextCharacter(1.0, 3, 0.85, LOGITS.length), 10_000);
        assertThat(counts[0] + counts[1]).isEqualTo(10_000);
        assertThat(counts[1]).isBetween(2_400, 3_300); // renormalised over two: 0.269
        // A nucleus the top-k already satisfies leaves the top-k alone.
        int[] wide = histogram(new NextCharacter(1.0, 3, 0.99, LOGITS.length), 10_000);
        assertThat(wide[0] + wide[1] + wide[2]).isEqualTo(10_000);
        assertThat(wide[2]).isPositive();
    }
}
