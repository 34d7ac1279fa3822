package com.evolutionprovisioner.platform.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SafetyNetRoundTest {

    private final StubWork work = new StubWork();
    private final SafetyNetRound round = new SafetyNetRound(work, Duration.ofSeconds(20), 500);

    @Test
    void overdueRowsAreNudgedThroughTheBroker() {
        work.overdue = List.of(1L, 2L);

        assertThat(round.run()).isTrue();

        assertThat(work.calls).containsExactly("overdue PT20S 500", "nudge [1, 2] poller");
    }

    @Test
    void rowsTheBrokerRefusesAreWorkedOnThisThread() {
        work.overdue = List.of(1L, 2L, 3L);
        work.refused = List.of(2L, 3L);

        round.run();

        assertThat(work.calls).containsExactly("overdue PT20S 500", "nudge [1, 2, 3] poller", "work [2, 3] poller");
    }

    @Test
    void anEmptyRoundNudgesAndWorksNothing() {
        round.run();

        assertThat(work.calls).containsExactly("overdue PT20S 500");
    }

    @Test
    void theComponentsOwnStepsRunFirst() {
        work.overdue = List.of(9L);

        round.run(() -> work.calls.add("own steps"));

        assertThat(work.calls).containsExactly("own steps", "overdue PT20S 500", "nudge [9] poller");
    }

    @Test
    void aRoundDoesNotStartWhileThePreviousOneRuns() {
        List<Boolean> nested = new ArrayList<>();

        boolean ran = round.run(() -> nested.add(round.run(() -> work.calls.add("nested round"))));

        assertThat(ran).isTrue();
        assertThat(nested).containsExactly(false);
        assertThat(work.calls).containsExactly("overdue PT20S 500");
    }

    @Test
    void aFailedRoundIsLoggedAndTheNextOneRuns() {
        work.failOverdue = true;

        assertThat(round.run()).isTrue();
        work.failOverdue = false;
        work.overdue = List.of(4L);
        assertThat(round.run()).isTrue();

        assertThat(work.calls).containsExactly("overdue PT20S 500", "overdue PT20S 500", "nudge [4] poller");
    }

    @Test
    void aBatchSizeBelowOneIsRefused() {
        assertThatThrownBy(() -> new SafetyNetRound(work, Duration.ofSeconds(20), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stub");
    }

    private static final class StubWork implements DurableWork {
        final List<String> calls = new ArrayList<>();
        List<Long> overdue = List.of();
        List<Long> refused = List.of();
        boolean failOverdue;

        @Override
        public String name() {
            return "stub";
        }

        @Override
        public List<Long> overdue(Duration waited, int limit) {
            calls.add("overdue " + waited + " " + limit);
            if (failOverdue) {
                throw new IllegalStateException("database away");
            }
            return overdue;
        }

        @Override
        public List<Long> nudge(List<Long> ids, String via) {
            calls.add("nudge " + ids + " " + via);
            return refused;
        }

        @Override
        public void workNow(List<Long> ids, String via) {
            calls.add("work " + ids + " " + via);
        }
    }
}
