package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void theTotalShownIgnoresWobblesOfTheEstimateAndFollowsRealMoves() {
        // The estimates of a time-limited run as its rate wobbled: 20, 17, 21, ...
        long shown = Progress.stableTotal(0, 20, 3);
        assertThat(shown).isEqualTo(20);
        assertThat(shown = Progress.stableTotal(shown, 19, 8)).as("5%% lower: unchanged").isEqualTo(20);
        assertThat(shown = Progress.stableTotal(shown, 21, 11)).as("5%% higher: unchanged").isEqualTo(20);
        assertThat(shown = Progress.stableTotal(shown, 17, 12)).as("15%% lower: follows").isEqualTo(17);
        assertThat(Progress.stableTotal(shown, 17, 18)).as("never behind the iteration").isEqualTo(18);
        assertThat(Progress.stableTotal(2000, 20, 1)).as("a time limit far below the iteration limit").isEqualTo(20);
    }

    @Test
    void slowRatesKeepTheirLeadingZero() {
        assertThat(Progress.rate(0.2)).isEqualTo("0.2");
        assertThat(Progress.rate(12.345)).isEqualTo("12.3");
    }
}
