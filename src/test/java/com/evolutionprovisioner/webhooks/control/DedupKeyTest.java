package com.evolutionprovisioner.webhooks.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

class DedupKeyTest {

    @Test
    void messageEventsAreKeyedByMessageIdAndStatus() {
        JsonObject upsert = payload(Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "MSG1").add("remoteJid", "1@s.whatsapp.net"))
                .add("status", "SERVER_ACK").build());
        JsonObject update = payload(Json.createObjectBuilder().add("keyId", "MSG1").add("status", "READ").build());

        assertThat(WebhookIngestor.dedupKey("evp-1", "messages.upsert", upsert)).isEqualTo("evp-1|messages.upsert|MSG1|SERVER_ACK");
        assertThat(WebhookIngestor.dedupKey("evp-1", "messages.update", update)).isEqualTo("evp-1|messages.update|MSG1|READ");
    }

    @Test
    void sameDataGivesTheSameKeyAndNewDataANewOne() {
        JsonObject qr1 = payload(Json.createObjectBuilder().add("qrcode", Json.createObjectBuilder().add("code", "A")).build());
        JsonObject qr1Again = payload(Json.createObjectBuilder().add("qrcode", Json.createObjectBuilder().add("code", "A")).build());
        JsonObject qr2 = payload(Json.createObjectBuilder().add("qrcode", Json.createObjectBuilder().add("code", "B")).build());

        assertThat(WebhookIngestor.dedupKey("evp-1", "qrcode.updated", qr1))
                .isEqualTo(WebhookIngestor.dedupKey("evp-1", "qrcode.updated", qr1Again))
                .isNotEqualTo(WebhookIngestor.dedupKey("evp-1", "qrcode.updated", qr2));
    }

    private static JsonObject payload(JsonObject data) {
        return Json.createObjectBuilder().add("event", "x").add("instance", "evp-1").add("data", data).build();
    }
}
