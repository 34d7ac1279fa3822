package com.evolutionprovisioner.webhooks.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class EventTimeTest {

    private static final OffsetDateTime RECEIVED = OffsetDateTime.parse("2026-11-28T12:00:00Z");
    private static final Duration SKEW = Duration.ofSeconds(60);

    @Test
    void aPlausibleStampIsKept() {
        assertThat(EventTime.effective("2026-11-28T11:59:58.500Z", RECEIVED, SKEW)).isEqualTo("2026-11-28T11:59:58.500Z");
    }

    @Test
    void aStampFromTheFutureIsCappedAtReceptionPlusSkew() {
        assertThat(EventTime.effective("2030-01-01T00:00:00.000Z", RECEIVED, SKEW)).isEqualTo(RECEIVED.plus(SKEW));
    }

    @Test
    void aServerAtUtcMinusThreeKeepsItsOwnOrderButHoursBehind() {
        // Evolution at UTC-3 writes local time with a Z: three hours behind, consistently.
        OffsetDateTime first = EventTime.effective("2026-11-28T08:59:00.000Z", RECEIVED, SKEW);
        OffsetDateTime second = EventTime.effective("2026-11-28T08:59:30.000Z", RECEIVED.plusSeconds(30), SKEW);

        assertThat(second).isAfter(first);
        assertThat(EventTime.senderOffset("2026-11-28T08:59:00.000Z", RECEIVED)).contains(Duration.ofHours(-3).plusMinutes(-1));
    }

    @Test
    void noUsableStampMeansTheReceptionTime() {
        assertThat(EventTime.effective(null, RECEIVED, SKEW)).isEqualTo(RECEIVED);
        assertThat(EventTime.effective("yesterday", RECEIVED, SKEW)).isEqualTo(RECEIVED);
        assertThat(EventTime.senderOffset("yesterday", RECEIVED)).isEmpty();
    }
}
