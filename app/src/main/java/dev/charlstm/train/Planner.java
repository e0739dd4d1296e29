package dev.charlstm.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans a training run for the machine, the text and the budget in front of it: which network,
 * batch and dropout should reach the lowest validation loss within the time and iteration limits,
 * and how often to validate.
 *
 * <p>For each candidate network it takes the throughput measured on this machine (a few timed
 * truncated-BPTT segments, {@link ThroughputProbe}), turns the budget into the iterations that
 * candidate can run, and reads the loss it should reach after that many iterations on a text of
 * this size off the scaling study's curves ({@link LossCurves}). The candidate with the lowest
 * prediction wins. Every key the user fixed (with {@code --set} or in a {@code --config} file)
 * is kept: candidates take the fixed values, and are then looked up as the study network of the
 * nearest size.
 *
 * <pre>{@code
 * RunPlan plan = Planner.plan(config, Set.of("hidden_size"), 76_000, probe, LossCurves.bundled());
 * TrainConfig planned = plan.config();
 * }</pre>
 */
final class Planner {

    private static final Logger log = LoggerFactory.getLogger(Planner.class);

    /** A network the study measured, with the batch and dropout it was measured with. */
    record Candidate(String name, int layers, int hidden, int batch, double dropout) {}

    static final List<Candidate> CANDIDATES = List.of(
            new Candidate("s128", 1, 128, 32, 0.2),
            new Candidate("s256", 1, 256, 32, 0.3),
            new Candidate("m256", 2, 256, 64, 0.4),
            new Candidate("l384", 2, 384, 64, 0.4));

    /** The keys a plan chooses; any of them the user fixed stays as given. */
    static final List<String> PLANNED_KEYS = List.of("layers", "hidden_size", "batch_size", "dropout", "eval_every",
            "lr_schedule_end");

    /**
     * Share of the wall-clock budget left for training iterations: the rest goes to validations,
     * checkpoints and samples (about 5% to 10% in the study's runs) and to the plan's own probe.
     */
    static final double TRAINING_SHARE = 0.88;

    /** Validations a planned run aims for: enough to catch the minimum within about 0.01 nats. */
    static final int VALIDATIONS = 30;

    private Planner() {}

    /**
     * @param config     the configuration as given (its budget: {@code max_seconds}, {@code iterations})
     * @param fixed      keys the user set explicitly
     * @param trainChars characters of the training split
     */
    static RunPlan plan(TrainConfig config, Set<String> fixed, long trainChars, ThroughputProbe probe, LossCurves curves) {
        long started = System.nanoTime();
        List<TrainConfig> configs = new ArrayList<>();
        for (Candidate c : CANDIDATES) {
            TrainConfig candidate = config;
            candidate = keepOrSet(candidate, fixed, "layers", c.layers());
            candidate = keepOrSet(candidate, fixed, "hidden_size", c.hidden());
            candidate = keepOrSet(candidate, fixed, "batch_size", c.batch());
            candidate = keepOrSet(candidate, fixed, "dropout", c.dropout());
            if (!configs.contains(candidate)) {
                configs.add(candidate);
            }
        }
        List<RunPlan.Option> options = new ArrayList<>();
        List<TrainConfig> measured = new ArrayList<>();
        for (TrainConfig candidate : configs) {
            Candidate nearest = nearest(candidate, curves);
            double charsPerSecond;
            try {
                charsPerSecond = probe.charsPerSecond(candidate);
            } catch (RuntimeException | OutOfMemoryError e) {
                // A candidate this machine cannot even run a segment of is no candidate.
                log.warn("Plan: skipping {} x {} (batch {}): {}", candidate.layers(), candidate.hiddenSize(),
                        candidate.batchSize(), e.toString());
                continue;
            }
            options.add(new RunPlan.Option(nearest.name(), candidate.layers(), candidate.hiddenSize(),
                    candidate.batchSize(), candidate.dropout(), charsPerSecond, 0, 0));
            measured.add(candidate);
        }
        if (options.isEmpty()) {
            throw new IllegalArgumentException("no candidate network could be planned for this configuration; "
                    + "train it as given with --set plan=off");
        }
        double probeSeconds = (System.nanoTime() - started) / 1e9;
        double trainSeconds = Math.max(0, config.maxSeconds() * TRAINING_SHARE - probeSeconds);
        List<RunPlan.Option> scored = new ArrayList<>();
        for (RunPlan.Option o : options) {
            long perIteration = (long) o.batch() * config.chunkLength() * config.workers();
            long reachable = Math.max(1, Math.min(config.iterations(),
                    (long) Math.floor(trainSeconds * o.charsPerSecond() / perIteration)));
            // The curves count iterations of the study's batch: a wider step (another batch, several workers) reads more.
            long studyIterations = Math.round((double) reachable * o.batch() * config.workers() / batchOf(o.curve()));
            scored.add(o.withPrediction(reachable, curves.predict(o.curve(), trainChars, studyIterations)));
        }
        RunPlan.Option best = scored.stream().min(Comparator.comparingDouble(RunPlan.Option::predictedLoss)).orElseThrow();
        TrainConfig chosen = measured.get(scored.indexOf(best));
        if (!fixed.contains("eval_every")) {
            // Validate often enough to catch the minimum: where the curve has it, or at the budget's end.
            long studyBest = Math.round(curves.bestIteration(best.curve(), trainChars));
            long bestAt = Math.round((double) studyBest * batchOf(best.curve()) / (best.batch() * config.workers()));
            chosen = chosen.with("eval_every", evalEvery(Math.min(best.iterations(), Math.max(1, bestAt))));
        }
        if (chosen.lrSchedule() == TrainConfig.LrSchedule.COSINE && !fixed.contains("lr_schedule_end")) {
            chosen = chosen.with("lr_schedule_end", best.iterations()); // the decay ends where the budget does
        }
        return new RunPlan(chosen, scored, best, trainChars, config.maxSeconds(), config.iterations(), probeSeconds,
                fixedPlannedKeys(fixed));
    }

    /** About {@value #VALIDATIONS} validations before the expected best, at least every 50 iterations, at most every 2. */
    static int evalEvery(long iterations) {
        return (int) Math.max(2, Math.min(50, Math.round((double) iterations / VALIDATIONS)));
    }

    private static int batchOf(String curve) {
        return CANDIDATES.stream().filter(c -> c.name().equals(curve)).findFirst().orElseThrow().batch();
    }

    private static TrainConfig keepOrSet(TrainConfig config, Set<String> fixed, String key, Object value) {
        return fixed.contains(key) ? config : config.with(key, value);
    }

    /** The study network with a curve whose parameter count is nearest (in ratio) to the candidate's. */
    static Candidate nearest(TrainConfig config, LossCurves curves) {
        double size = Math.log(lstmParameters(config.layers(), config.hiddenSize(), config.embeddingSize()));
        return CANDIDATES.stream().filter(c -> curves.knows(c.name())).min(Comparator.comparingDouble(c ->
                Math.abs(Math.log(lstmParameters(c.layers(), c.hidden(), 64)) - size)))
                .orElseThrow(() -> new IllegalStateException("the study's curves name none of the planner's candidates"));
    }

    private static double lstmParameters(int layers, int hidden, int embedding) {
        double p = 4.0 * hidden * (embedding + hidden + 1);
        return p + (layers - 1) * 4.0 * hidden * (2 * hidden + 1) + 101.0 * hidden;
    }

    private static List<String> fixedPlannedKeys(Set<String> fixed) {
        return PLANNED_KEYS.stream().filter(fixed::contains).toList();
    }
}
