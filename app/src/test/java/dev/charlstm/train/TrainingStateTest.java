package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TrainingStateTest {

    private static TrainingState midRun() {
        TrainingState s = new TrainingState();
        s.recordIteration(3.14159, 1600, 1.5);
        s.recordIteration(2.71828, 1600, 2.5);
        s.evaluations.add(new TrainingState.Evaluation(2, 2.5, 2.7183, 2.9));
        s.bestValLoss = 2.9;
        s.bestIteration = 2;
        s.evalsSinceBest = 1;
        s.trainSeconds = 2.0;
        return s;
    }

    @Test
    void recordIterationCountsTheIterationItsCharactersItsLossAndTheWallTime() {
        TrainingState s = midRun();

        assertThat(s.iteration).isEqualTo(2);
        assertThat(s.trainedChars).isEqualTo(3200);
        assertThat(s.wallSeconds).isEqualTo(2.5);
        assertThat(s.trainCurve).containsExactly(new TrainingState.Point(1, 3.1416), new TrainingState.Point(2, 2.7183));
        assertThat(s.lastTrainLoss()).isEqualTo(2.7183);
        assertThat(s.trainCharsPerSecond()).isEqualTo(1600.0);
        assertThat(s.lastEvaluation()).isEqualTo(new TrainingState.Evaluation(2, 2.5, 2.7183, 2.9));
    }

    @Test
    void aFreshStateHasNothingToReport() {
        TrainingState s = new TrainingState();

        assertThat(s.lastTrainLoss()).isNaN();
        assertThat(s.lastEvaluation()).isNull();
        assertThat(s.trainCharsPerSecond()).isZero();
        assertThat(s.bestValLoss).isNull();
    }

    @Test
    void theSerialisedFormRoundTripsEveryResumeField() throws Exception {
        TrainingState s = midRun();

        TrainingState back = TrainingState.fromJson(s.toJson());

        assertThat(back.iteration).isEqualTo(2);
        assertThat(back.bestValLoss).isEqualTo(2.9);
        assertThat(back.bestIteration).isEqualTo(2);
        assertThat(back.evalsSinceBest).isEqualTo(1);
        assertThat(back.trainSeconds).isEqualTo(2.0);
        assertThat(back.wallSeconds).isEqualTo(2.5);
        assertThat(back.trainedChars).isEqualTo(3200);
        assertThat(back.evaluations).isEqualTo(s.evaluations);
        assertThat(back.trainCurve).isEqualTo(s.trainCurve);
        assertThat(back.toJson()).isEqualTo(s.toJson());
    }

    @Test
    void theSerialisedFormKeepsItsFieldNames() throws Exception {
        JsonNode json = new ObjectMapper().readTree(midRun().toJson());

        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder("iteration", "best_val_loss",
                "best_iteration", "evals_since_best", "train_seconds", "wall_seconds", "trained_chars", "evaluations",
                "train_curve");
        assertThat(json.get("evaluations").get(0).fieldNames()).toIterable()
                .containsExactlyInAnyOrder("iteration", "seconds", "train_loss", "val_loss");
        assertThat(json.get("train_curve").get(1).get("loss").asDouble()).isEqualTo(2.7183);
    }

    @Test
    void aStateWithoutABestYetRoundTripsItsNull() throws Exception {
        TrainingState s = new TrainingState();
        s.recordIteration(4.0, 10, 0.1);

        TrainingState back = TrainingState.fromJson(s.toJson());

        assertThat(back.bestValLoss).isNull();
        assertThat(back.iteration).isEqualTo(1);
        assertThat(new ObjectMapper().readTree(s.toJson()).get("best_val_loss").isNull()).isTrue();
    }
}
