package dev.charlstm.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FastMath32Test {

    /** Arguments from the whole float range that matters, plus the edges, at an offset into the array. */
    private static float[] arguments() {
        Random r = new Random(3);
        float[] x = new float[20_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) (r.nextGaussian() * 3);
                case 1 -> (r.nextFloat() - 0.5f) * 200f;
                case 2 -> (r.nextFloat() - 0.5f) * 1e-3f;
                default -> (r.nextFloat() - 0.5f) * 40f;
            };
        }
        float[] edges = {0f, -0f, 87f, -87f, 88.7f, -88.7f, 1e6f, -1e6f, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        System.arraycopy(edges, 0, x, 100, edges.length);
        return x;
    }

    @Test
    void sigmoidAndTanhAreWithinTwoFloatUlpsOfOneAbsolutely() {
        float[] x = arguments();
        float[] s = x.clone();
        float[] t = x.clone();
        float[] scratch = new float[x.length];
        FastMath32.sigmoid(s, 7, x.length - 7, scratch);
        FastMath32.tanh(t, 7, x.length - 7, scratch);
        for (int i = 0; i < 7; i++) {
            assertThat(s[i]).as("before the offset: untouched").isEqualTo(x[i]);
        }
        for (int i = 7; i < x.length; i++) {
            double sigmoid = 1 / (1 + Math.exp(-(double) x[i]));
            assertThat(Math.abs(s[i] - sigmoid)).as("sigmoid(%s)", x[i]).isLessThan(2.5e-7);
            assertThat(Math.abs(t[i] - Math.tanh(x[i]))).as("tanh(%s)", x[i]).isLessThan(5e-7);
            assertThat(s[i]).isBetween(0f, 1f);
            assertThat(t[i]).isBetween(-1f, 1f);
        }
    }

    @Test
    void expIsWithinAFewMillionthsRelativelyAndSaturatesInsteadOfOverflowing() {
        float[] x = arguments();
        float[] e = x.clone();
        FastMath32.exp(e, 0, x.length, new float[x.length]);
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(Math.max(-87, Math.min(87, x[i])));
            assertThat(Math.abs(e[i] - want) / want).as("exp(%s)", x[i]).isLessThan(1e-6);
        }
    }

    @Test
    void notANumberStaysNotANumber() {
        float[] x = {Float.NaN, 1f};
        float[] scratch = new float[2];
        FastMath32.sigmoid(x, 0, 2, scratch);
        assertThat(x[0]).isNaN();
        assertThat(x[1]).isEqualTo((float) (1 / (1 + Math.exp(-1))), org.assertj.core.api.Assertions.within(1e-7f));
    }

    /**
     * Past about 2.9e6 the rounding trick's sum no longer holds an integer in its low bits; between
     * about 8.7e6 and 1.7e7 the exponent it gave wrapped round, and sigmoid said 0 where 1 is right.
     */
    @Test
    void hugeArgumentsSaturateAcrossTheWholeRange() {
        float[] x = new float[4_000];
        for (int i = 0; i < 1_000; i++) {
            float magnitude = 1e6f + i * 2e4f; // 1e6 .. 2.1e7, through the window that overflowed
            x[4 * i] = magnitude;
            x[4 * i + 1] = -magnitude;
            x[4 * i + 2] = (float) Math.scalb(1.0, 20 + i % 100); // 2^20 .. 2^119
            x[4 * i + 3] = -x[4 * i + 2];
        }
        float[] s = x.clone();
        float[] t = x.clone();
        float[] e = x.clone();
        float[] scratch = new float[x.length];
        FastMath32.sigmoid(s, 0, x.length, scratch);
        FastMath32.tanh(t, 0, x.length, scratch);
        FastMath32.exp(e, 0, x.length, scratch);
        float expMax = (float) Math.exp(87);
        float expMin = (float) Math.exp(-87);
        for (int i = 0; i < x.length; i++) {
            boolean positive = x[i] > 0;
            // Arguments saturate at ±87, so sigmoid of a huge negative is 1/(1+e^87), about 1.6e-38.
            if (positive) {
                assertThat(s[i]).as("sigmoid(%s)", x[i]).isEqualTo(1f);
            } else {
                assertThat(s[i]).as("sigmoid(%s)", x[i]).isBetween(0f, 1e-37f);
            }
            assertThat(t[i]).as("tanh(%s)", x[i]).isEqualTo(positive ? 1f : -1f);
            assertThat(Math.abs(e[i] - (positive ? expMax : expMin)) / (positive ? expMax : expMin))
                    .as("exp(%s)", x[i]).isLessThan(1e-6f);
        }
    }

    @Test
    void notANumberPropagatesThroughEveryFunction() {
        float[] scratch = new float[3];
        float[] e = {Float.NaN, 0f, Float.NaN};
        float[] t = e.clone();
        FastMath32.exp(e, 0, 3, scratch);
        FastMath32.tanh(t, 0, 3, scratch);
        assertThat(e[0]).isNaN();
        assertThat(e[2]).isNaN();
        assertThat(e[1]).isEqualTo(1f);
        assertThat(t[0]).isNaN();
        assertThat(t[2]).isNaN();
        assertThat(t[1]).isEqualTo(0f);
    }

    @Test
    void aShortScratchArrayIsRefused() {
        assertThatThrownBy(() -> FastMath32.sigmoid(new float[10], 2, 8, new float[9]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 10");
    }
}
