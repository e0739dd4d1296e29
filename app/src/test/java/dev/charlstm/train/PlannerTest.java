package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The planner with throughput injected, on curves written here: deterministic, faithful to the
 * curves, respectful of every fixed key, and sensible at the extremes.
 */
class PlannerTest {

    /**
     * Two study corpora (10,000 and 100,000 training characters). On the small one the big network
     * overfits (its best is worse); on the large one it wins, given the iterations.
     */
    private static final String CURVES = """
            # candidate, training characters, iteration, validation loss
            s128\t10000\t50\t2.0
            s128\t10000\t100\t1.8
            s128\t10000\t200\t1.7
            s128\t100000\t100\t1.9
            s128\t100000\t400\t1.5
            s256\t10000\t50\t2.1
            s256\t10000\t100\t1.75
            s256\t10000\t200\t1.72
            s256\t100000\t100\t1.8
            s256\t100000\t400\t1.35
            m256\t10000\t50\t2.4
            m256\t10000\t100\t1.9
            m256\t10000\t200\t1.85
            m256\t100000\t100\t2.0
            m256\t100000\t400\t1.25
            l384\t10000\t100\t2.2
            l384\t10000\t200\t1.95
            l384\t100000\t100\t2.2
            l384\t100000\t400\t1.2
            """;

    private static LossCurves curves() throws Exception {
        return LossCurves.parse(new ByteArrayInputStream(CURVES.getBytes(StandardCharsets.UTF_8)));
    }

    /** Characters per second falling with the network's size, as on a real machine. */
    private static final ThroughputProbe PROBE = c -> 2.0e9 / ((double) c.layers() * c.hiddenSize() * c.hiddenSize());

    private static TrainConfig budget(long seconds, long iterations) {
        return TrainConfig.defaults().with("max_seconds", seconds).with("iterations", iterations);
    }

    @Test
    void predictionsFollowTheRunningMinimumOfTheCurves() throws Exception {
        LossCurves c = curves();
        assertThat(c.predict("s256", 10_000, 100)).isEqualTo(1.75);
        assertThat(c.predict("s256", 10_000, 75)).isCloseTo((2.1 + 1.75) / 2, within(1e-12));
        assertThat(c.predict("s256", 10_000, 5_000)).as("flat after the last validation").isEqualTo(1.72);
        assertThat(c.predict("s256", 10_000, 0)).as("uniform before any training").isCloseTo(Math.log(100), within(1e-12));
        // between corpora, linear in the log of the size: 31,623 characters is halfway
        assertThat(c.predict("s256", 31_623, 100)).isCloseTo((1.75 + 1.8) / 2, within(1e-4));
        assertThat(c.predict("s256", 1_000, 100)).as("clamped below the study's range").isEqualTo(1.75);
        assertThat(c.predict("s256", 50_000_000, 400)).as("clamped above it").isEqualTo(1.35);
    }

    @Test
    void thePlanIsTheLowestPredictionAndTheSameEveryTimeForTheSameThroughput() throws Exception {
        TrainConfig config = budget(300, 100_000);
        RunPlan a = Planner.plan(config, Set.of(), 100_000, PROBE, curves());
        RunPlan b = Planner.plan(config, Set.of(), 100_000, PROBE, curves());
        assertThat(a.config()).isEqualTo(b.config());
        double lowest = a.options().stream().mapToDouble(RunPlan.Option::predictedLoss).min().orElseThrow();
        assertThat(a.chosen().predictedLoss()).isEqualTo(lowest);
        assertThat(a.options()).hasSize(Planner.CANDIDATES.size());
        for (RunPlan.Option o : a.options()) {
            long perIteration = (long) o.batch() * config.chunkLength();
            long expected = (long) Math.floor((300 * Planner.TRAINING_SHARE - a.probeSeconds()) * o.charsPerSecond() / perIteration);
            assertThat(o.iterations()).as("%s iterations from the budget and its throughput", o.network())
                    .isBetween(expected - 1, expected + 1);
        }
        assertThat(a.config().layers()).isEqualTo(a.chosen().layers());
        assertThat(a.config().hiddenSize()).isEqualTo(a.chosen().hidden());
        // s256 on this text bottoms out at iteration 400, after the iterations the budget buys
        assertThat(c(a).bestIteration(a.chosen().curve(), 100_000)).isEqualTo(400);
        assertThat(a.config().evalEvery()).isEqualTo(Planner.evalEvery(Math.min(a.chosen().iterations(), 400)));
    }

    @Test
    void aTinyBudgetPlansASmallFastNetworkAndALargeOneAPlentifulBudget() throws Exception {
        RunPlan tiny = Planner.plan(budget(5, 100_000), Set.of(), 100_000, PROBE, curves());
        RunPlan plenty = Planner.plan(budget(100_000, 400), Set.of(), 100_000, PROBE, curves());
        assertThat(tiny.chosen().hidden()).isLessThanOrEqualTo(256);
        assertThat(plenty.chosen().curve()).as("given 400 iterations each, the study's best on this size").isEqualTo("l384");
        assertThat(plenty.options()).allSatisfy(o -> assertThat(o.iterations()).isEqualTo(400));
    }

    @Test
    void aSmallTextPlansANetworkThatDoesNotOverfitIt() throws Exception {
        RunPlan small = Planner.plan(budget(100_000, 200), Set.of(), 10_000, PROBE, curves());
        assertThat(small.chosen().curve()).isEqualTo("s128");
        RunPlan huge = Planner.plan(budget(100_000, 400), Set.of(), 500_000_000L, PROBE, curves());
        assertThat(huge.chosen().curve()).as("beyond the study's largest text, its curves stand").isEqualTo("l384");
    }

    @Test
    void everyFixedKeyIsKept() throws Exception {
        TrainConfig config = budget(300, 100_000).with("hidden_size", 100).with("dropout", 0.15).with("eval_every", 7);
        RunPlan plan = Planner.plan(config, Set.of("hidden_size", "dropout", "eval_every"), 100_000, PROBE, curves());
        assertThat(plan.config().hiddenSize()).isEqualTo(100);
        assertThat(plan.config().dropout()).isEqualTo(0.15);
        assertThat(plan.config().evalEvery()).isEqualTo(7);
        assertThat(plan.options()).allSatisfy(o -> assertThat(o.hidden()).isEqualTo(100));
        assertThat(plan.fixedKeys()).containsExactly("hidden_size", "dropout", "eval_every");
        // Keys outside the plan's reach pass through untouched.
        assertThat(plan.config().learningRate()).isEqualTo(config.learningRate());
        assertThat(plan.config().seed()).isEqualTo(config.seed());

        TrainConfig fixedNetwork = budget(300, 100_000).with("layers", 2).with("hidden_size", 384).with("batch_size", 64)
                .with("dropout", 0.4);
        RunPlan all = Planner.plan(fixedNetwork, Set.of("layers", "hidden_size", "batch_size", "dropout"), 100_000, PROBE,
                curves());
        assertThat(all.options()).as("one candidate: the network given").hasSize(1);
        assertThat(all.config().withOverrides(List.of("eval_every=" + fixedNetwork.evalEvery()))).isEqualTo(fixedNetwork);
    }

    @Test
    void theIterationLimitBindsWhenItComesFirst() throws Exception {
        RunPlan plan = Planner.plan(budget(100_000, 37), Set.of(), 100_000, PROBE, curves());
        assertThat(plan.options()).allSatisfy(o -> assertThat(o.iterations()).isEqualTo(37));
        assertThat(plan.config().evalEvery()).isEqualTo(2);
        Map<String, Object> report = plan.toMap();
        assertThat(report).containsKeys("train_chars", "max_seconds", "max_iterations", "probe_seconds", "chosen",
                "candidates", "eval_every");
        assertThat(plan.describe()).contains("<- chosen").contains("predicted loss");
    }

    private static LossCurves c(RunPlan plan) throws Exception {
        return curves();
    }

    @Test
    void aRunValidatesOftenEnoughToCatchTheMinimumItsCurvePredicts() throws Exception {
        // On the small text every network bottoms out by iteration 200 (s128) or 100 (l384), long before
        // the iterations a plentiful budget buys: validations gather there, not across the budget.
        RunPlan small = Planner.plan(budget(100_000, 100_000), Set.of(), 10_000, PROBE, curves());
        assertThat(curves().bestIteration("s128", 10_000)).isEqualTo(200);
        assertThat(small.chosen().iterations()).isGreaterThan(2_000);
        assertThat(small.config().evalEvery()).isEqualTo(Planner.evalEvery(200));
    }

    @Test
    void validationIntervalAimsAtThirtyValidations() {
        assertThat(Planner.evalEvery(300)).isEqualTo(10);
        assertThat(Planner.evalEvery(30)).isEqualTo(2);
        assertThat(Planner.evalEvery(100_000)).isEqualTo(50);
    }

    @Test
    void theBundledCurvesCoverEveryCandidateOnEveryStudyText() {
        // Candidates are only comparable on the same texts: a curve missing at one size would be
        // clamped to another text's and win or lose for the wrong reason.
        LossCurves bundled = LossCurves.bundled();
        assertThat(bundled.corpora()).as("study texts of at least three sizes").hasSizeGreaterThanOrEqualTo(3);
        for (Planner.Candidate c : Planner.CANDIDATES) {
            assertThat(bundled.corporaOf(c.name())).as(c.name()).isEqualTo(bundled.corpora());
        }
    }
}
