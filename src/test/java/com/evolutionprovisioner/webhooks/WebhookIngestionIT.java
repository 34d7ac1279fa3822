package com.evolutionprovisioner.webhooks;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import com.evolutionprovisioner.testsupport.Api.Reply;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.EvolutionSignatures;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook deliveries: only Evolution's, each kept once, each with its effect, bad input answered precisely. */
class WebhookIngestionIT extends DeployedServiceTest {

    private static final String WEBHOOK = "/api/webhooks/evolution";

    private UUID user;
    private String instance;

    @BeforeEach
    void provisionAUser() {
        user = users.signUpNew();
        users.awaitStatus(user, "completed");
        instance = instanceNameOf(user);
    }

    @Test
    void aDeliverySignedByEvolutionWithTheInstanceKeyIsStoredAndApplied() {
        EvolutionApiSimulator.DeliveryResult result = simulator.deliver(instance, "connection.update",
                Json.createObjectBuilder().add("instance", instance).add("state", "open").add("statusReason", 200).build());

        assertThat(result.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(users.status(user).getString("connectionState", null)).isEqualTo("open"));
    }

    @Test
    void aQrCodeUpdateBecomesTheInstancesCurrentQrCode() {
        simulator.deliver(instance, "qrcode.updated", Json.createObjectBuilder()
                .add("qrcode", Json.createObjectBuilder().add("base64", "data:image/png;base64,QR1").add("code", "2@abc")).build());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(users.status(user).getString("qrCode", null)).isEqualTo("data:image/png;base64,QR1"));
    }

    @Test
    void aDuplicateDeliveryIsAnswered200AndStoredOnce() throws Exception {
        String body = event("messages.upsert", Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "DUP-1").add("remoteJid", "551199@s.whatsapp.net").add("fromMe", false))
                .add("status", "DELIVERY_ACK").add("messageType", "conversation").build());

        Reply first = deliver(body, validToken());
        Reply again = deliver(body, validToken());

        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().getBoolean("duplicate")).isTrue();
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND event = 'messages.upsert'", instance))
                .isEqualTo(1);
    }

    @Test
    void aMessageStatusNeverMovesBackwards() throws Exception {
        deliver(event("messages.upsert", Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "M-1").add("remoteJid", "551199@s.whatsapp.net").add("fromMe", true))
                .add("status", "SERVER_ACK").add("messageType", "conversation").add("messageTimestamp", 1_760_000_000).build()), validToken());
        deliver(event("messages.update", Json.createObjectBuilder()
                .add("keyId", "M-1").add("remoteJid", "551199@s.whatsapp.net").add("fromMe", true).add("status", "READ").build()), validToken());
        deliver(event("messages.update", Json.createObjectBuilder()
                .add("keyId", "M-1").add("remoteJid", "551199@s.whatsapp.net").add("fromMe", true).add("status", "DELIVERY_ACK").build()), validToken());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.count(
                "SELECT count(*) FROM webhook_events WHERE instance_name = ? AND processed_at IS NULL", instance)).isZero());
        var message = Database.row("SELECT * FROM evolution_messages WHERE instance_name = ? AND message_id = 'M-1'", instance).orElseThrow();
        assertThat(message.get("status")).isEqualTo("READ");
        assertThat(message.get("direction")).isEqualTo("outbound");
        assertThat(message.get("remote_jid")).isEqualTo("551199@s.whatsapp.net");
    }

    @Test
    void anIncomingAndASentMessageAreLoggedWithTheirDirection() throws Exception {
        simulator.deliver(instance, "messages.upsert", Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "IN-1").add("remoteJid", "5511888@s.whatsapp.net").add("fromMe", false))
                .add("messageType", "conversation").add("status", "DELIVERY_ACK").build());
        simulator.deliver(instance, "send.message", Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "OUT-1").add("remoteJid", "5511888@s.whatsapp.net").add("fromMe", true))
                .add("messageType", "conversation").add("status", "PENDING").build());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.count(
                "SELECT count(*) FROM evolution_messages WHERE instance_name = ?", instance)).isEqualTo(2));
        assertThat(Database.row("SELECT direction, status FROM evolution_messages WHERE message_id = 'IN-1'").orElseThrow())
                .containsEntry("direction", "inbound").containsEntry("status", "DELIVERY_ACK");
        assertThat(Database.row("SELECT direction, status FROM evolution_messages WHERE message_id = 'OUT-1'").orElseThrow())
                .containsEntry("direction", "outbound").containsEntry("status", "PENDING");
    }

    @Test
    void anEventThatCannotBeAppliedBecomesADeadLetterAnOperatorCanReplay() throws Exception {
        // Year ~3 million: PostgreSQL refuses the timestamp, so every application attempt fails.
        Reply stored = deliver(event("messages.upsert", Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "POISON-1").add("remoteJid", "1@s.whatsapp.net"))
                .add("messageTimestamp", 99_999_999_999_999L).build()), validToken());
        assertThat(stored.status()).as("stored first, applied later").isEqualTo(200);

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Reply deadLetters = api.get("/api/admin/webhooks/dead-letters", env.tokens().serviceRole());
            assertThat(deadLetters.body()).contains(instance).contains("messages.upsert");
        });
        Reply replay = api.post("/api/admin/webhooks/dead-letters/replay", env.tokens().serviceRole(), "");

        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json().getInt("replayed")).isGreaterThanOrEqualTo(1);
        assertThat(Database.row("SELECT apply_attempts, apply_error FROM webhook_events WHERE instance_name = ?", instance)
                .orElseThrow().get("apply_error")).asString().containsIgnoringCase("range");
    }

    @Test
    void anOlderConnectionEventDoesNotOverwriteANewerOne() throws Exception {
        deliver(event("connection.update", Json.createObjectBuilder().add("state", "open").build(), "2030-01-01T10:00:05.000Z"), validToken());
        deliver(event("connection.update", Json.createObjectBuilder().add("state", "close").build(), "2030-01-01T10:00:01.000Z"), validToken());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.count(
                "SELECT count(*) FROM instance_connection_history WHERE instance_name = ?", instance)).isEqualTo(2));
        assertThat(users.status(user).getString("connectionState")).isEqualTo("open");
    }

    @Test
    void eventsWeDoNotUseAreStoredRawAndAnswered200() throws Exception {
        Reply reply = deliver(event("contacts.update", Json.createObjectBuilder().add("id", "c-1").build()), validToken());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND event = 'contacts.update'", instance))
                .isEqualTo(1);
    }

    @Test
    void theByEventsUrlSuffixIsAccepted() {
        Reply reply = api.send(api.request(WEBHOOK + "/messages-upsert", null)
                .header("Authorization", "Bearer " + validToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event("messages.upsert", Json.createObjectBuilder()
                        .add("key", Json.createObjectBuilder().add("id", "SUFFIX-1").add("remoteJid", "1@s.whatsapp.net")).build()))).build());

        assertThat(reply.status()).isEqualTo(200);
    }

    @Test
    void forgedExpiredAndMissingTokensAreRejectedAndNothingIsStored() throws Exception {
        String body = event("qrcode.updated", Json.createObjectBuilder()
                .add("qrcode", Json.createObjectBuilder().add("base64", "forged")).build());

        Reply forged = deliver(body, EvolutionSignatures.deliveryToken("not-the-instance-key-0123456789abcdef", Duration.ofMinutes(10)));
        Reply expired = deliver(body, EvolutionSignatures.deliveryToken(webhookKey(), Duration.ofMinutes(-5)));
        Reply missing = deliver(body, null);

        assertThat(forged.status()).isEqualTo(401);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ?", instance)).isZero();
    }

    @Test
    void anUnknownInstanceGetsTheSameAnswerAsAWrongToken() {
        String forUnknown = Json.createObjectBuilder().add("event", "qrcode.updated").add("instance", "evp-nobody")
                .add("data", Json.createObjectBuilder()).build().toString();

        Reply unknown = deliver(forUnknown, validToken());
        Reply wrongToken = deliver(event("qrcode.updated", Json.createObjectBuilder().build()), "x.y.z");

        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.body()).isEqualTo(wrongToken.body());
    }

    @Test
    void badInputGetsAPrecise4xxWithoutAStackTrace() {
        Reply malformed = deliver("{\"event\": ", validToken());
        Reply noEvent = deliver("{\"instance\":\"" + instance + "\",\"data\":{}}", validToken());
        Reply noData = deliver("{\"event\":\"qrcode.updated\",\"instance\":\"" + instance + "\"}", validToken());
        Reply tooLarge = deliver("{\"event\":\"x\",\"instance\":\"" + instance + "\",\"data\":\"" + "a".repeat(1_100_000) + "\"}", validToken());
        Reply wrongType = api.send(api.request(WEBHOOK, null).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build());

        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().getString("error")).isEqualTo("malformed_json");
        assertThat(noEvent.status()).isEqualTo(400);
        assertThat(noEvent.json().getString("message")).contains("\"event\"");
        assertThat(noData.status()).isEqualTo(400);
        assertThat(noData.json().getString("message")).contains("\"data\"");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(wrongType.status()).isEqualTo(415);
        for (Reply reply : new Reply[] {malformed, noEvent, noData, tooLarge, wrongType}) {
            assertThat(reply.body()).doesNotContain("Exception").doesNotContain("at com.");
        }
    }

    @Test
    void aStaticSecretHeaderAuthenticatesInstancesOfOlderServers() throws Exception {
        Database.update("UPDATE evolution_instances SET webhook_auth = 'static' WHERE user_id = ?", user);
        String body = event("connection.update", Json.createObjectBuilder().add("state", "connecting").build());

        Reply right = api.send(api.request(WEBHOOK, null).header("Content-Type", "application/json")
                .header("X-Webhook-Secret", webhookKey()).POST(HttpRequest.BodyPublishers.ofString(body)).build());
        Reply wrong = api.send(api.request(WEBHOOK, null).header("Content-Type", "application/json")
                .header("X-Webhook-Secret", "guess").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        Reply tokenOnly = deliver(body, validToken());

        assertThat(right.status()).isEqualTo(200);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(tokenOnly.status()).isEqualTo(401);
    }

    @Test
    void rotatingTheKeyReconfiguresEvolutionAndKeepsTheOldKeyValidForAWhile() throws Exception {
        String oldKey = webhookKey();

        Reply rotate = api.post("/api/admin/instances/" + user + "/rotate-webhook-key", env.tokens().serviceRole(), "");

        assertThat(rotate.status()).isEqualTo(200);
        String newKey = webhookKey();
        assertThat(newKey).isNotEqualTo(oldKey);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(simulator.webhookOf(instance).orElseThrow()
                .getJsonObject("headers").getString("jwt_key")).isEqualTo(newKey));
        users.awaitStatus(user, "completed");
        assertThat(simulator.deliver(instance, "connection.update", Json.createObjectBuilder().add("state", "open").build()).status())
                .isEqualTo(200);
        assertThat(deliver(event("contacts.update", Json.createObjectBuilder().add("id", "old-key").build()),
                EvolutionSignatures.deliveryToken(oldKey, Duration.ofMinutes(10))).status()).isEqualTo(200);
    }

    @Test
    void theInstanceKeysAreEncryptedAtRestAndNeverReachAClient() throws Exception {
        String key = webhookKey();
        String token = Database.instanceSecret("instance_token", user);
        var stored = Database.row("SELECT webhook_key, instance_token FROM evolution_instances WHERE user_id = ?", user).orElseThrow();

        String seenByUser = api.get("/api/instances/me", env.tokens().user(user)).body();
        String seenByAdmin = api.get("/api/admin/queue?status=completed&size=500", env.tokens().serviceRole()).body();

        assertThat(token).isNotBlank();
        String underSecretsKey = "v2:" + Database.secrets().keyId() + ":";
        assertThat(stored.get("webhook_key")).as("encrypted at rest").asString().startsWith(underSecretsKey).doesNotContain(key);
        assertThat(stored.get("instance_token")).as("encrypted at rest").asString().startsWith(underSecretsKey).doesNotContain(token);
        assertThat(seenByUser).doesNotContain(key).doesNotContain(token);
        assertThat(seenByAdmin).doesNotContain(key).doesNotContain(token);
    }

    private Reply deliver(String body, String token) {
        HttpRequest.Builder request = api.request(WEBHOOK, null).header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return api.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private String event(String event, JsonObject data) {
        return Json.createObjectBuilder().add("event", event).add("instance", instance).add("data", data)
                .add("destination", env.publicBaseUrl() + WEBHOOK).add("server_url", simulator.baseUrl())
                .addNull("apikey").build().toString();
    }

    private String event(String event, JsonObject data, String dateTime) {
        return Json.createObjectBuilder(Json.createReader(new java.io.StringReader(event(event, data))).readObject())
                .add("date_time", dateTime).build().toString();
    }

    private String validToken() {
        return EvolutionSignatures.deliveryToken(uncheckedKey(), Duration.ofMinutes(10));
    }

    private String webhookKey() throws Exception {
        return Database.instanceSecret("webhook_key", user);
    }

    private String uncheckedKey() {
        try {
            return webhookKey();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
