package com.evolutionprovisioner.evolution.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.evolution.control.PoolChoice.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The placement rule: servers deemed unhealthy last, then most free capacity, the lowest recent failure rate, the name. */
class PoolChoiceTest {

    @Test
    void theServerWithTheMostFreeCapacityWinsWhateverItsSize() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("big", 100, 95, 0, false),
                new Candidate("small", 10, 2, 0.4, false))))
                .contains("small");
    }

    @Test
    void equalFreeCapacityGoesToTheLowerRecentFailureRate() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("a", 50, 10, 0.3, false),
                new Candidate("b", 60, 20, 0.1, false),
                new Candidate("c", 40, 0, 0.2, false))))
                .contains("b");
    }

    @Test
    void aCompleteTieGoesToTheFirstName() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("zeta", 10, 0, 0, false),
                new Candidate("alpha", 10, 0, 0, false))))
                .contains("alpha");
    }

    @Test
    void fullAndOverfilledServersAreNeverChosen() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("full", 50, 50, 0, false),
                new Candidate("overfilled", 10, 12, 0, false),
                new Candidate("zero", 0, 0, 0, false))))
                .isEmpty();
        assertThat(PoolChoice.choose(List.of())).isEmpty();
    }

    @Test
    void anUnhealthyServerIsPassedOverWhileAnotherHasRoom() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("down", 100, 0, 1.0, true),
                new Candidate("up", 10, 9, 0, false))))
                .contains("up");
    }

    @Test
    void anUnhealthyServerStillTakesUsersWhenNoOtherHasRoom() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("down", 100, 0, 1.0, true),
                new Candidate("full", 10, 10, 0, false))))
                .contains("down");
    }
}
