package com.evolutionprovisioner.provisioning.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The drift check's share per tick: every instance once per WEBHOOK_VERIFY_INTERVAL, evenly, never zero of many. */
class WebhookDriftRepairTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration SIX_HOURS = Duration.ofHours(6);

    @Test
    void eachTickTakesTheCeilingOfItsShare() {
        assertThat(WebhookDriftRepair.dueEachTick(0, MINUTE, SIX_HOURS)).isZero();
        assertThat(WebhookDriftRepair.dueEachTick(1, MINUTE, SIX_HOURS)).isEqualTo(1);
        assertThat(WebhookDriftRepair.dueEachTick(360, MINUTE, SIX_HOURS)).isEqualTo(1);
        assertThat(WebhookDriftRepair.dueEachTick(361, MINUTE, SIX_HOURS)).isEqualTo(2);
        assertThat(WebhookDriftRepair.dueEachTick(100_000, MINUTE, SIX_HOURS)).isEqualTo(278);
    }

    @Test
    void anIntervalNoLongerThanTheTickTakesEveryone() {
        assertThat(WebhookDriftRepair.dueEachTick(50, Duration.ofSeconds(30), Duration.ofSeconds(30))).isEqualTo(50);
    }
}
