package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

    @Test
    void keepsTheBestAndCountsValidationsSinceIt() {
        TrainingState s = new TrainingState();
        EarlyStopping stopping = new EarlyStopping(2);

        s.iteration = 10;
        assertThat(stopping.record(s, 3.0)).isTrue();
        s.iteration = 20;
        assertThat(stopping.record(s, 3.5)).isFalse();
        assertThat(stopping.shouldStop(s)).isFalse();
        assertThat(s.bestValLoss).isEqualTo(3.0);
        assertThat(s.bestIteration).isEqualTo(10);
        assertThat(s.evalsSinceBest).isEqualTo(1);

        s.iteration = 30;
        assertThat(stopping.record(s, 3.0)).as("equal is not better").isFalse();
        assertThat(stopping.shouldStop(s)).isTrue();

        s.iteration = 40;
        assertThat(stopping.record(s, 2.0)).isTrue();
        assertThat(s.evalsSinceBest).isZero();
        assertThat(s.bestIteration).isEqualTo(40);
        assertThat(stopping.shouldStop(s)).isFalse();
    }

    @Test
    void patienceZeroNeverStops() {
        TrainingState s = new TrainingState();
        EarlyStopping never = new EarlyStopping(0);
        never.record(s, 1.0);
        for (int i = 0; i < 100; i++) {
            never.record(s, 2.0);
        }
        assertThat(s.evalsSinceBest).isEqualTo(100);
        assertThat(never.shouldStop(s)).isFalse();
    }

    @Test
    void aResumedStateKeepsItsPatience() {
        TrainingState s = new TrainingState();
        s.bestValLoss = 1.0;
        s.evalsSinceBest = 4;
        EarlyStopping stopping = new EarlyStopping(5);

        stopping.record(s, 1.5);

        assertThat(stopping.shouldStop(s)).isTrue();
    }
}
