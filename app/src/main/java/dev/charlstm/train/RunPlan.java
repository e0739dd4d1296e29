package dev.charlstm.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A planned run: the configuration {@link Planner} chose, and what it measured and predicted for
 * every candidate, so the choice can be read in the log and in {@code metrics.json}.
 *
 * @param config        the configuration to train
 * @param options       every candidate with its measured throughput, reachable iterations and predicted loss
 * @param chosen        the winning option
 * @param trainChars    characters of the training split
 * @param maxSeconds    the time budget
 * @param maxIterations the iteration budget
 * @param probeSeconds  what the throughput measurements took
 * @param fixedKeys     planned keys the user fixed, kept as given
 */
record RunPlan(TrainConfig config, List<Option> options, Option chosen, long trainChars, long maxSeconds,
               long maxIterations, double probeSeconds, List<String> fixedKeys) {

    /**
     * One candidate.
     *
     * @param curve          the study network whose curve predicts it
     * @param charsPerSecond training characters per second measured here
     * @param iterations     iterations the budget buys it
     * @param predictedLoss  the best validation loss it should reach by then, in nats/char
     */
    record Option(String curve, int layers, int hidden, int batch, double dropout, double charsPerSecond,
                  long iterations, double predictedLoss) {
        Option withPrediction(long iterations, double predictedLoss) {
            return new Option(curve, layers, hidden, batch, dropout, charsPerSecond, iterations, predictedLoss);
        }

        String network() {
            return layers + " x " + hidden;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layers", layers);
            m.put("hidden_size", hidden);
            m.put("batch_size", batch);
            m.put("dropout", dropout);
            m.put("study_curve", curve);
            m.put("train_chars_per_sec", Math.round(charsPerSecond));
            m.put("iterations", iterations);
            m.put("predicted_val_loss_nats", Math.round(predictedLoss * 1e4) / 1e4);
            return m;
        }
    }

    /** The plan as {@code metrics.json} and the model's metadata keep it. */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train_chars", trainChars);
        m.put("max_seconds", maxSeconds);
        m.put("max_iterations", maxIterations);
        m.put("probe_seconds", Math.round(probeSeconds * 100) / 100.0);
        m.put("fixed_keys", fixedKeys);
        m.put("chosen", chosen.toMap());
        m.put("eval_every", config.evalEvery());
        m.put("candidates", options.stream().map(Option::toMap).toList());
        return m;
    }

    /** The block the log shows: what was measured, what was chosen, and why. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Plan for %,d training characters within %d s and %,d iterations "
                + "(throughput measured in %.1f s):%n", trainChars, maxSeconds, maxIterations, probeSeconds));
        sb.append(String.format(Locale.ROOT, "  %-8s %5s %7s %12s %10s %14s%n", "network", "batch", "dropout",
                "chars/s", "iterations", "predicted loss"));
        for (Option o : options) {
            sb.append(String.format(Locale.ROOT, "  %-8s %5d %7.2f %,12.0f %,10d %14.3f%s%n", o.network(), o.batch(),
                    o.dropout(), o.charsPerSecond(), o.iterations(), o.predictedLoss(), o == chosen ? "  <- chosen" : ""));
        }
        sb.append(String.format(Locale.ROOT, "  Chosen: %s LSTM, batch %d, dropout %.2f, validating every %d iterations: "
                + "the lowest predicted validation loss after the iterations this machine runs in the budget "
                + "(docs/experiments.md, scaling study)", chosen.network(), chosen.batch(), chosen.dropout(),
                config.evalEvery()));
        if (!fixedKeys.isEmpty()) {
            sb.append(String.format("%n  Kept as given: %s", String.join(", ", fixedKeys)));
        }
        return sb.toString();
    }
}
