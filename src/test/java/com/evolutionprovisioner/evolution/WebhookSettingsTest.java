package com.evolutionprovisioner.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {

    private static final String URL = "https://provisioner.example.com/api/webhooks/evolution";
    private final WebhookSettings settings = new WebhookSettings(URL,
            List.of("QRCODE_UPDATED", "CONNECTION_UPDATE"), Map.of("jwt_key", "instance-key"));

    @Test
    void nestedBodyCarriesEnabledUrlEventsAndKey() {
        JsonObject webhook = settings.nestedBody().getJsonObject("webhook");

        assertThat(webhook.getBoolean("enabled")).isTrue();
        assertThat(webhook.getString("url")).isEqualTo(URL);
        assertThat(webhook.getJsonArray("events")).hasSize(2);
        assertThat(webhook.getJsonObject("headers").getString("jwt_key")).isEqualTo("instance-key");
    }

    @Test
    void flatBodiesUseEachVersionsFieldNames() {
        assertThat(settings.flatV20Body()).containsKeys("enabled", "url", "webhookByEvents", "events").doesNotContainKey("webhook");
        assertThat(settings.flatV1Body()).containsKeys("enabled", "url", "webhook_by_events", "events").doesNotContainKey("webhookByEvents");
    }

    @Test
    void readBackMatchingUrlEventsAndKeySatisfies() {
        assertThat(settings.isSatisfiedBy(found(URL, true, "QRCODE_UPDATED", "CONNECTION_UPDATE", "SEND_MESSAGE"))).isTrue();
    }

    @Test
    void emptyEventListMeansAllEvents() {
        assertThat(settings.isSatisfiedBy(found(URL, true))).isTrue();
    }

    @Test
    void readBackThatDiffersDoesNotSatisfy() {
        assertThat(settings.isSatisfiedBy(JsonValue.NULL)).isFalse();
        assertThat(settings.isSatisfiedBy(found(URL, false, "QRCODE_UPDATED", "CONNECTION_UPDATE"))).isFalse();
        assertThat(settings.isSatisfiedBy(found("http://elsewhere/", true, "QRCODE_UPDATED", "CONNECTION_UPDATE"))).isFalse();
        assertThat(settings.isSatisfiedBy(found(URL, true, "QRCODE_UPDATED"))).isFalse();
    }

    @Test
    void readBackWithAnotherKeyDoesNotSatisfy() {
        JsonObject row = Json.createObjectBuilder(found(URL, true).asJsonObject())
                .add("headers", Json.createObjectBuilder().add("jwt_key", "someone-elses")).build();

        assertThat(settings.isSatisfiedBy(row)).isFalse();
    }

    private static JsonValue found(String url, boolean enabled, String... events) {
        var array = Json.createArrayBuilder();
        for (String event : events) {
            array.add(event);
        }
        return Json.createObjectBuilder().add("url", url).add("enabled", enabled).add("events", array).build();
    }
}
