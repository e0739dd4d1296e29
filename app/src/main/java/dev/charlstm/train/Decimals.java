package dev.charlstm.train;

/** How training rounds losses for its files and shows them in its log. */
final class Decimals {

    private Decimals() {}

    /** Four decimals, as every stored loss has; infinities and NaN unchanged. */
    static double round4(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }

    /** Four decimals, as the log shows losses. */
    static String fmt(double v) {
        return String.format("%.4f", v);
    }
}
