package dev.charlstm.network;

/**
 * Logistic sigmoid, tanh and exp over float arrays, written so that HotSpot's C2 turns each loop
 * into SIMD code.
 *
 * <p>{@link Math#exp} is scalar (about 5 ns an element here), and the LSTM gates need four
 * transcendental functions per hidden unit per character, as many as a recurrent matrix product
 * has multiply-adds per output row. Here {@code e^x = 2^n · e^r} with {@code n = round(x/ln 2)}
 * and {@code |r| ≤ ln 2 / 2}, {@code e^r} by its Taylor polynomial to degree 7 (truncation error
 * below 1.2e-7 relative), and {@code 2^n} built from its exponent bits. C2 (JDK 17) declines to
 * vectorise a loop that mixes the bit manipulation with the polynomial, so each function runs two
 * loops: one for {@code 2^n} into a scratch array, one for the rest; and it vectorises only when
 * both arrays are indexed alike, so {@code scratch} is used at the same positions as {@code x}.
 *
 * <p>Training's BLAS engine and the plain-Java sampler both compute their LSTM gates with it.
 *
 * <pre>{@code
 * float[] gates = ...;                       // pre-activations
 * FastMath32.sigmoid(gates, 0, gates.length, new float[gates.length]);
 * }</pre>
 */
public final class FastMath32 {

    private static final float LOG2E = 1.44269504f;
    /** ln 2 split in two (Cody and Waite) so that {@code n·LN2_HI} is exact for |n| ≤ 126. */
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-6f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;
    private static final float MAX_ARG = 87f;

    private FastMath32() {}

    /** {@code x[i] = e^(x[i])} for i in [off, off+n); arguments are clamped to ±87; {@code scratch} at least as long as {@code x}. */
    public static void exp(float[] x, int off, int n, float[] scratch) {
        powersOfTwo(x, off, n, scratch, 1f);
        for (int i = off; i < off + n; i++) {
            x[i] = reduced(x[i]) * scratch[i];
        }
    }

    /**
     * {@code x[i] = 1 / (1 + e^(-x[i]))} for i in [off, off+n); {@code scratch} at least as long as
     * {@code x}. Any argument past ±87 saturates (1, or about 1.6e-38); NaN stays NaN.
     */
    public static void sigmoid(float[] x, int off, int n, float[] scratch) {
        powersOfTwo(x, off, n, scratch, -1f);
        for (int i = off; i < off + n; i++) {
            x[i] = 1f / (1f + reduced(-x[i]) * scratch[i]);
        }
    }

    /** {@code x[i] = tanh(x[i])} for i in [off, off+n), as {@code 2·sigmoid(2x) - 1}. */
    public static void tanh(float[] x, int off, int n, float[] scratch) {
        for (int i = off; i < off + n; i++) {
            x[i] *= 2f;
        }
        sigmoid(x, off, n, scratch);
        for (int i = off; i < off + n; i++) {
            x[i] = 2f * x[i] - 1f;
        }
    }

    /** {@code scratch[i] = 2^round(v / ln 2)} for {@code v = sign·x[i]} clamped to ±87, as {@link #reduced} clamps it. */
    private static void powersOfTwo(float[] x, int off, int n, float[] scratch, float sign) {
        if (scratch.length < off + n) {
            throw new IllegalArgumentException("scratch holds " + scratch.length + " floats, needs " + (off + n));
        }
        for (int i = off; i < off + n; i++) {
            // Clamp first: the rounding trick needs |v·log2 e| below 2^22, and past it the exponent
            // read from the bits is garbage (between about 8.7e6 and 1.7e7 it wrapped to the wrong
            // sign, so sigmoid gave 0 for a huge positive argument). NaN passes through the clamp.
            float v = Math.max(-MAX_ARG, Math.min(MAX_ARG, sign * x[i]));
            int e = Float.floatToRawIntBits(v * LOG2E + ROUND) - ROUND_BITS;
            e = Math.max(-126, Math.min(126, e));
            scratch[i] = Float.intBitsToFloat((e + 127) << 23);
        }
    }

    /** {@code e^r} for the remainder r of v after removing round(v / ln 2) multiples of ln 2. */
    private static float reduced(float v) {
        v = Math.max(-MAX_ARG, Math.min(MAX_ARG, v));
        float n = (v * LOG2E + ROUND) - ROUND;
        float r = (v - n * LN2_HI) - n * LN2_LO;
        return 1f + r * (1f + r * (0.5f + r * (1f / 6 + r * (1f / 24 + r * (1f / 120 + r * (1f / 720
                + r * (1f / 5040)))))));
    }
}
