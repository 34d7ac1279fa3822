package com.evolutionprovisioner.provisioning.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.platform.work.NudgeSender;
import com.evolutionprovisioner.platform.work.WorkNudge;
import jakarta.jms.Queue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProvisioningDispatcherTest {

    private final List<String> sent = new ArrayList<>();
    private final List<String> processed = new ArrayList<>();
    private final ProvisioningDispatcher dispatcher = new ProvisioningDispatcher();
    /** The rows whose nudge the broker refuses. */
    private Set<Long> refused = Set.of();

    ProvisioningDispatcherTest() {
        dispatcher.sender = new NudgeSender() {
            @Override
            public Optional<String> send(Queue queue, WorkNudge nudge, Duration delay) {
                sent.add(nudge.body() + " " + nudge.via() + " " + delay);
                return refused.contains(nudge.ids().get(0)) ? Optional.of("broker away") : Optional.empty();
            }
        };
        dispatcher.provisioner = new Provisioner() {
            @Override
            public boolean process(long entryId, String via) {
                processed.add(entryId + " " + via);
                return true;
            }
        };
    }

    @Test
    void eachRowIsNudgedOnItsOwnSoThatRowsSpreadOverTheSessions() {
        assertThat(dispatcher.nudge(List.of(1L, 2L, 3L), "poller")).isEmpty();

        assertThat(sent).containsExactly("1 poller PT0S", "2 poller PT0S", "3 poller PT0S");
    }

    @Test
    void theRowsTheBrokerRefusedAreReturned() {
        refused = Set.of(2L, 3L);

        assertThat(dispatcher.nudge(List.of(1L, 2L, 3L), "poller")).containsExactly(2L, 3L);
    }

    @Test
    void aSignupIsNudgedAtOnceWithItsPath() {
        assertThat(dispatcher.dispatchSignup(42L, null)).isTrue();
        refused = Set.of(43L);
        assertThat(dispatcher.dispatch(43L, null, "retry", Duration.ofSeconds(30))).isFalse();

        assertThat(sent).containsExactly("42 signup PT0S", "43 retry PT30S");
    }

    @Test
    void rowsWorkedNowAreProcessedOneByOneWithTheirPath() {
        dispatcher.workNow(List.of(5L, 6L), "jms");

        assertThat(processed).containsExactly("5 jms", "6 jms");
    }
}
