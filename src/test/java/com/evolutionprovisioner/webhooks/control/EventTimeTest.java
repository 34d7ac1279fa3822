package com.evolutionprovisioner.webhooks.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EventTimeTest {

    private final OffsetDateTime received = OffsetDateTime.of(2026, 11, 27, 8, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void evolutionsDateTimeOrdersEvents() {
        var payload = Json.createObjectBuilder().add("date_time", "2026-11-27T07:59:58.123Z").build();

        assertThat(WebhookEventApplier.eventTime(payload, received)).isEqualTo(OffsetDateTime.parse("2026-11-27T07:59:58.123Z"));
    }

    @Test
    void withoutAUsableDateTimeTheReceptionTimeOrdersEvents() {
        assertThat(WebhookEventApplier.eventTime(Json.createObjectBuilder().build(), received)).isEqualTo(received);
        assertThat(WebhookEventApplier.eventTime(Json.createObjectBuilder().add("date_time", "yesterday").build(), received))
                .isEqualTo(received);
    }

    @Test
    void messageStatusesAreRankedInDeliveryOrder() {
        assertThat(WebhookEventApplier.STATUS_RANK.get("SERVER_ACK")).isLessThan(WebhookEventApplier.STATUS_RANK.get("DELIVERY_ACK"));
        assertThat(WebhookEventApplier.STATUS_RANK.get("DELIVERY_ACK")).isLessThan(WebhookEventApplier.STATUS_RANK.get("READ"));
        assertThat(WebhookEventApplier.STATUS_RANK.get("READ")).isLessThan(WebhookEventApplier.STATUS_RANK.get("PLAYED"));
    }
}
