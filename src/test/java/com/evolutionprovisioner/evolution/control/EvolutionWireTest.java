package com.evolutionprovisioner.evolution.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.entity.ConnectionState;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.InstanceIdentity;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.evolution.entity.WebhookState;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Evolution's answers, as each release gives them (evolution-api-contract.md and the simulator), read into types. */
class EvolutionWireTest {

    private static final InstanceName NAME = new InstanceName("evp-a");
    private static final WebhookSettings WEBHOOK = new WebhookSettings("https://p.example/api/webhooks/evolution",
            List.of("QRCODE_UPDATED"), Map.of("jwt_key", "k"));

    @Test
    void aCreateBodyNamesTheInstanceAndNestsTheWebhookOnlyWhenAsked() {
        JsonObject with = EvolutionWire.createBody(NAME, WEBHOOK, true);
        JsonObject without = EvolutionWire.createBody(NAME, WEBHOOK, false);

        assertThat(with.getString("instanceName")).isEqualTo("evp-a");
        assertThat(with.getString("integration")).isEqualTo("WHATSAPP-BAILEYS");
        assertThat(with.getJsonObject("webhook").getString("url")).isEqualTo(WEBHOOK.url());
        assertThat(with.getJsonObject("webhook").getJsonArray("events")).hasSize(1);
        assertThat(without).doesNotContainKey("webhook").containsKeys("instanceName", "integration");
    }

    @Test
    void aV2CreateAnswerCarriesTheIdAndTheTokenAsHash() {
        assertThat(EvolutionWire.createdIdentity(NAME, json("""
                {"instance":{"instanceName":"evp-a","instanceId":"5f0c-id","integration":"WHATSAPP-BAILEYS",
                 "status":"connecting"},"hash":"A1B2-TOKEN","webhook":{},"settings":{}}""")))
                .isEqualTo(new InstanceIdentity(NAME, "5f0c-id", "A1B2-TOKEN"));
    }

    @Test
    void aV1CreateAnswerCarriesTheTokenUnderHashApikey() {
        assertThat(EvolutionWire.createdIdentity(NAME, json("""
                {"instance":{"instanceName":"evp-a","instanceId":"v1-id","status":"created"},"hash":{"apikey":"V1-TOKEN"}}""")))
                .isEqualTo(new InstanceIdentity(NAME, "v1-id", "V1-TOKEN"));
    }

    @Test
    void aV2FetchListsTheInstanceFlatWithIdAndToken() {
        assertThat(EvolutionWire.fetchedIdentity(NAME, json("""
                [{"id":"5f0c-id","name":"evp-a","connectionStatus":"close","token":"A1B2-TOKEN","Setting":{}}]""")))
                .contains(new InstanceIdentity(NAME, "5f0c-id", "A1B2-TOKEN"));
    }

    @Test
    void aV1FetchAnswersOneObjectUnderInstanceWithItsApikey() {
        assertThat(EvolutionWire.fetchedIdentity(NAME, json("""
                {"instance":{"instanceName":"evp-a","instanceId":"v1-id","status":"close","serverUrl":"http://e",
                 "apikey":"V1-TOKEN","integration":{"integration":"WHATSAPP-BAILEYS"}}}""")))
                .contains(new InstanceIdentity(NAME, "v1-id", "V1-TOKEN"));
        assertThat(EvolutionWire.fetchedIdentity(NAME, json("""
                [{"instance":{"instanceName":"evp-a","instanceId":"v1-id","apikey":"V1-TOKEN"}}]""")))
                .contains(new InstanceIdentity(NAME, "v1-id", "V1-TOKEN"));
    }

    @Test
    void aFetchThatListsNothingIsEmpty() {
        assertThat(EvolutionWire.fetchedIdentity(NAME, json("[]"))).isEmpty();
        assertThat(EvolutionWire.fetchedIdentity(NAME, JsonValue.NULL)).isEmpty();
    }

    @Test
    void aV21WebhookRowReportsItsHeaders() {
        assertThat(EvolutionWire.webhookState(json("""
                {"id":"c123","url":"https://p.example/api/webhooks/evolution","headers":{"jwt_key":"k","n":1},
                 "enabled":true,"events":["QRCODE_UPDATED","CONNECTION_UPDATE"],"webhookByEvents":false,
                 "webhookBase64":false,"createdAt":"2026-01-01","updatedAt":"2026-01-01","instanceId":"5f0c-id"}""")))
                .contains(new WebhookState(true, "https://p.example/api/webhooks/evolution",
                        List.of("QRCODE_UPDATED", "CONNECTION_UPDATE"), Map.of("jwt_key", "k")));
    }

    @Test
    void anOlderServersWebhookRowHasNoHeaders() {
        Optional<WebhookState> state = EvolutionWire.webhookState(json("""
                {"id":"c123","url":"https://p.example/x","headers":null,"enabled":false,"events":[],
                 "webhookByEvents":false,"webhookBase64":false,"instanceId":"v1-id"}"""));

        assertThat(state).contains(new WebhookState(false, "https://p.example/x", List.of(), null));
        assertThat(state.orElseThrow().reportsHeaders()).isFalse();
    }

    @Test
    void noWebhookOrOneWithoutAnEventListIsNone() {
        assertThat(EvolutionWire.webhookState(JsonValue.NULL)).isEmpty();
        assertThat(EvolutionWire.webhookState(json("{\"url\":\"https://p.example/x\",\"enabled\":true}"))).isEmpty();
    }

    @Test
    void connectionStateReadsTheNestedTheFlatAndTheV1Shape() {
        assertThat(EvolutionWire.connectionState(json("{\"instance\":{\"instanceName\":\"a\",\"state\":\"close\"}}")))
                .isEqualTo(ConnectionState.CLOSE);
        assertThat(EvolutionWire.connectionState(json("{\"state\":\"connecting\"}"))).isEqualTo(ConnectionState.CONNECTING);
        assertThat(EvolutionWire.connectionState(json("{\"instance\":{\"status\":\"open\"}}"))).isEqualTo(ConnectionState.OPEN);
    }

    @Test
    void aConnectionStateWithoutAKnownStateIsARefusal() {
        assertThatThrownBy(() -> EvolutionWire.connectionState(json("{\"instance\":{}}")))
                .isInstanceOfSatisfying(EvolutionException.class,
                        failure -> assertThat(failure.kind()).isEqualTo(EvolutionException.Kind.REJECTED));
        assertThatThrownBy(() -> EvolutionWire.connectionState(json("{\"state\":\"sleeping\"}")))
                .isInstanceOf(EvolutionException.class).hasMessageContaining("sleeping");
    }

    static JsonValue json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }
}
