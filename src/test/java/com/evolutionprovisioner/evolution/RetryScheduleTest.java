package com.evolutionprovisioner.evolution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.control.RetrySchedule;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private final RetrySchedule schedule = RetrySchedule.standard();

    @Test
    void standardScheduleDoublesFrom800Milliseconds() {
        assertThat(schedule.maxRetries()).isEqualTo(3);
        assertThat(schedule.nominalDelay(1)).isEqualTo(Duration.ofMillis(800));
        assertThat(schedule.nominalDelay(2)).isEqualTo(Duration.ofMillis(1600));
        assertThat(schedule.nominalDelay(3)).isEqualTo(Duration.ofMillis(3200));
    }

    @RepeatedTest(50)
    void jitterStaysWithinTwentyPercentOfTheNominalDelay() {
        for (int retry = 1; retry <= 3; retry++) {
            long nominal = schedule.nominalDelay(retry).toMillis();
            assertThat(schedule.delay(retry).toMillis()).isBetween(Math.round(nominal * 0.8), Math.round(nominal * 1.2));
        }
    }

    @Test
    void retriesBeyondTheScheduleAreRefused() {
        assertThatThrownBy(() -> schedule.nominalDelay(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> schedule.nominalDelay(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
