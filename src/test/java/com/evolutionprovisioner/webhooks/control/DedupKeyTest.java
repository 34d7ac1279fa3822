package com.evolutionprovisioner.webhooks.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

class DedupKeyTest {

    private static final JsonObject OPEN = Json.createObjectBuilder().add("state", "open").build();

    @Test
    void aRetryOfTheSameDeliveryHasTheSameKey() {
        assertThat(key("connection.update", OPEN, "2026-11-28T10:00:00.000Z"))
                .isEqualTo(key("connection.update", OPEN, "2026-11-28T10:00:00.000Z"));
    }

    @Test
    void aStateThatComesBackLaterIsANewEvent() {
        assertThat(key("connection.update", OPEN, "2026-11-28T10:00:00.000Z"))
                .isNotEqualTo(key("connection.update", OPEN, "2026-11-28T10:05:00.000Z"));
    }

    @Test
    void messageEventsAreKeyedByMessageIdAndStatusWhateverElseTheyCarry() {
        JsonObject upsert = Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "MSG1").add("remoteJid", "1@s.whatsapp.net"))
                .add("status", "SERVER_ACK").build();
        JsonObject read = Json.createObjectBuilder().add("keyId", "MSG1").add("status", "READ").build();
        JsonObject readAgain = Json.createObjectBuilder().add("keyId", "MSG1").add("status", "READ").add("participant", "x").build();

        assertThat(key("messages.upsert", upsert, "2026-11-28T10:00:00.000Z"))
                .isEqualTo(key("messages.upsert", upsert, "2026-11-28T10:00:09.000Z"));
        assertThat(key("messages.update", read, "2026-11-28T10:00:00.000Z"))
                .isEqualTo(key("messages.update", readAgain, "2026-11-28T10:00:01.000Z"))
                .isNotEqualTo(key("messages.upsert", upsert, "2026-11-28T10:00:00.000Z"));
    }

    @Test
    void anIdOutsideMessageEventsDoesNotCollapseDifferentData() {
        JsonObject contact = Json.createObjectBuilder().add("id", "c-1").add("pushName", "Ana").build();
        JsonObject renamed = Json.createObjectBuilder().add("id", "c-1").add("pushName", "Ana Maria").build();

        assertThat(key("contacts.update", contact, "2026-11-28T10:00:00.000Z"))
                .isNotEqualTo(key("contacts.update", renamed, "2026-11-28T10:00:00.000Z"));
    }

    @Test
    void keysHaveAFixedLengthWhateverTheIds() {
        JsonObject longId = Json.createObjectBuilder().add("keyId", "M".repeat(5000)).add("status", "READ").build();

        assertThat(key("messages.update", longId, null)).hasSize(71).startsWith("sha256:");
        assertThat(key("qrcode.updated", OPEN, null)).hasSize(71);
    }

    @Test
    void storedPayloadsLoseTheApiKeyAndNulCharacters() {
        JsonObject payload = Json.createObjectBuilder()
                .add("event", "messages.upsert").add("instance", "evp-1").add("apikey", "INSTANCE-TOKEN")
                .add("data", Json.createObjectBuilder().add("text\u0000", "a\u0000b")
                        .add("list", Json.createArrayBuilder().add("c\u0000")))
                .build();

        JsonObject stored = WebhookIngestor.storable(payload);

        assertThat(stored.containsKey("apikey")).isFalse();
        assertThat(stored.toString()).doesNotContain("\\u0000").doesNotContain("\u0000").contains("a\uFFFDb", "c\uFFFD");
        assertThat(stored.getString("instance")).isEqualTo("evp-1");
    }

    private static String key(String event, JsonObject data, String dateTime) {
        var payload = Json.createObjectBuilder().add("event", event).add("instance", "evp-1").add("data", data);
        if (dateTime != null) {
            payload.add("date_time", dateTime);
        }
        return WebhookIngestor.dedupKey("evp-1", event, payload.build());
    }
}
