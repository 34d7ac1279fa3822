package com.evolutionprovisioner.evolution.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.evolution.control.PoolChoice.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The placement rule: most free capacity, then the lowest recent failure rate, then the name. */
class PoolChoiceTest {

    @Test
    void theServerWithTheMostFreeCapacityWinsWhateverItsSize() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("big", 100, 95, 0),
                new Candidate("small", 10, 2, 0.4))))
                .contains("small");
    }

    @Test
    void equalFreeCapacityGoesToTheLowerRecentFailureRate() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("a", 50, 10, 0.3),
                new Candidate("b", 60, 20, 0.1),
                new Candidate("c", 40, 0, 0.2))))
                .contains("b");
    }

    @Test
    void aCompleteTieGoesToTheFirstName() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("zeta", 10, 0, 0),
                new Candidate("alpha", 10, 0, 0))))
                .contains("alpha");
    }

    @Test
    void fullAndOverfilledServersAreNeverChosen() {
        assertThat(PoolChoice.choose(List.of(
                new Candidate("full", 50, 50, 0),
                new Candidate("overfilled", 10, 12, 0),
                new Candidate("zero", 0, 0, 0))))
                .isEmpty();
        assertThat(PoolChoice.choose(List.of())).isEmpty();
    }
}
