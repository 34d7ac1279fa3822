package com.evolutionprovisioner.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.evolution.entity.WebhookState;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        assertThat(settings.isSatisfiedBy(found(URL, true, List.of("QRCODE_UPDATED", "CONNECTION_UPDATE", "SEND_MESSAGE"),
                Map.of("jwt_key", "instance-key")))).isTrue();
    }

    @Test
    void emptyEventListMeansAllEvents() {
        assertThat(settings.isSatisfiedBy(found(URL, true, List.of(), null))).isTrue();
    }

    @Test
    void aServerThatReportsNoHeadersIsJudgedOnTheRest() {
        assertThat(settings.isSatisfiedBy(found(URL, true, List.of("QRCODE_UPDATED", "CONNECTION_UPDATE"), null))).isTrue();
    }

    @Test
    void readBackThatDiffersDoesNotSatisfy() {
        List<String> both = List.of("QRCODE_UPDATED", "CONNECTION_UPDATE");
        assertThat(settings.isSatisfiedBy(Optional.empty())).isFalse();
        assertThat(settings.isSatisfiedBy(found(URL, false, both, null))).isFalse();
        assertThat(settings.isSatisfiedBy(found("http://elsewhere/", true, both, null))).isFalse();
        assertThat(settings.isSatisfiedBy(found(URL, true, List.of("QRCODE_UPDATED"), null))).isFalse();
    }

    @Test
    void readBackWithAnotherKeyOrNoKeyDoesNotSatisfy() {
        assertThat(settings.isSatisfiedBy(found(URL, true, List.of(), Map.of("jwt_key", "someone-elses")))).isFalse();
        assertThat(settings.isSatisfiedBy(found(URL, true, List.of(), Map.of()))).isFalse();
    }

    private static Optional<WebhookState> found(String url, boolean enabled, List<String> events,
                                                Map<String, String> headers) {
        return Optional.of(new WebhookState(enabled, url, events, headers));
    }
}
