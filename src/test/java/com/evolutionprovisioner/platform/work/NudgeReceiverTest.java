package com.evolutionprovisioner.platform.work;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NudgeReceiverTest {

    private final List<String> worked = new ArrayList<>();
    private boolean failing;

    private final DurableWork work = new DurableWork() {
        @Override
        public String name() {
            return "stub";
        }

        @Override
        public List<Long> overdue(Duration waited, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Long> nudge(List<Long> ids, String via) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void workNow(List<Long> ids, String via) {
            worked.add(ids + " " + via);
            if (failing) {
                throw new IllegalStateException("database away");
            }
        }
    };

    @Test
    void theRowsAMessageNamesAreWorkedWithItsPath() {
        NudgeReceiver.receive(WorkNudgeTest.textMessage("3,4", "receipt"), work);

        assertThat(worked).containsExactly("[3, 4] receipt");
    }

    @Test
    void anUnreadableMessageIsDroppedWithoutWork() {
        NudgeReceiver.receive(WorkNudgeTest.textMessage("three", "receipt"), work);

        assertThat(worked).isEmpty();
    }

    @Test
    void aFailureIsNotThrownBackToTheBroker() {
        failing = true;

        NudgeReceiver.receive(WorkNudgeTest.textMessage("3", "signup"), work);

        assertThat(worked).containsExactly("[3] signup");
    }
}
