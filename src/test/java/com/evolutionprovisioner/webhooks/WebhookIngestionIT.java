package com.evolutionprovisioner.webhooks;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.simulator.DeliveryAttempts;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import com.evolutionprovisioner.simulator.PreparedDelivery;
import com.evolutionprovisioner.simulator.RetryPlan;
import com.evolutionprovisioner.testsupport.Api.Reply;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.EvolutionSignatures;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook deliveries: only Evolution's, each kept once, each with its effect, bad input answered precisely. */
class WebhookIngestionIT extends DeployedServiceTest {

    private static final String WEBHOOK = "/api/webhooks/evolution";
    /** WEBHOOK_CLOCK_SKEW in the test configuration. */
    private static final long CLOCK_SKEW_MILLIS = 2_000;

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
    void anEventThatCannotBeAppliedBecomesADeadLetterAnOperatorCanFixAndReplay() throws Exception {
        // Year ~3 million: PostgreSQL refuses the timestamp, so every application attempt fails.
        Reply stored = deliver(event("messages.upsert", Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "POISON-1").add("remoteJid", "1@s.whatsapp.net"))
                .add("messageTimestamp", 99_999_999_999_999L).build()), validToken());
        assertThat(stored.status()).as("stored first, applied later").isEqualTo(200);

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Reply deadLetters = api.get("/api/admin/webhooks/dead-letters", env.tokens().serviceRole());
            assertThat(deadLetters.body()).contains(instance).contains("messages.upsert");
        });
        assertThat(Database.row("SELECT apply_attempts, apply_error FROM webhook_events WHERE instance_name = ?", instance)
                .orElseThrow().get("apply_error")).asString().containsIgnoringCase("range");
        // The operator corrects the payload, then replays.
        Database.update("UPDATE webhook_events SET payload = jsonb_set(payload, '{data,messageTimestamp}', '1760000000') "
                + "WHERE instance_name = ? AND event = 'messages.upsert'", instance);

        Reply replay = api.post("/api/admin/webhooks/dead-letters/replay", env.tokens().serviceRole(), "");

        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json().getInt("replayed")).isPositive();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.row(
                "SELECT processed_at IS NOT NULL AS applied, applied_via FROM webhook_events WHERE instance_name = ?", instance)
                .orElseThrow()).containsEntry("applied", true).containsEntry("applied_via", "replay"));
        assertThat(Database.count("SELECT count(*) FROM evolution_messages WHERE instance_name = ? AND message_id = 'POISON-1'",
                instance)).isEqualTo(1);
    }

    @Test
    void anOlderConnectionEventDoesNotOverwriteANewerOne() throws Exception {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        deliver(event("connection.update", Json.createObjectBuilder().add("state", "open").build(), stamp(now.minusSeconds(5))), validToken());
        deliver(event("connection.update", Json.createObjectBuilder().add("state", "close").build(), stamp(now.minusSeconds(9))), validToken());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.count(
                "SELECT count(*) FROM instance_connection_history WHERE instance_name = ?", instance)).isEqualTo(2));
        assertThat(users.status(user).getString("connectionState")).isEqualTo("open");
    }

    @Test
    void aStateThatComesBackIsAppliedAgain() throws Exception {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        JsonObject open = Json.createObjectBuilder().add("instance", instance).add("state", "open").add("statusReason", 200).build();
        JsonObject close = Json.createObjectBuilder().add("instance", instance).add("state", "close").add("statusReason", 428).build();

        assertThat(deliver(event("connection.update", open, stamp(now.minusSeconds(30))), validToken()).status()).isEqualTo(200);
        assertThat(deliver(event("connection.update", close, stamp(now.minusSeconds(20))), validToken()).status()).isEqualTo(200);
        Reply reopened = deliver(event("connection.update", open, stamp(now.minusSeconds(10))), validToken());

        assertThat(reopened.json().getBoolean("duplicate")).as("the same data at a later time is a new event").isFalse();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.count(
                "SELECT count(*) FROM instance_connection_history WHERE instance_name = ?", instance)).isEqualTo(3));
        assertThat(users.status(user).getString("connectionState")).isEqualTo("open");
    }

    @Test
    void anEventStampedInTheFutureDoesNotFreezeTheState() throws Exception {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        deliver(event("connection.update", Json.createObjectBuilder().add("state", "open").build(), stamp(now.plusYears(4))), validToken());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(users.status(user).getString("connectionState", null)).isEqualTo("open"));
        Thread.sleep(CLOCK_SKEW_MILLIS + 500); // the future stamp is believed up to reception + skew, no further

        deliver(event("connection.update", Json.createObjectBuilder().add("state", "close").build(), stamp(OffsetDateTime.now(ZoneOffset.UTC))),
                validToken());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(users.status(user).getString("connectionState", null)).isEqualTo("close"));
    }

    @Test
    void aServerClockOffsetIsVisibleToOperators() throws Exception {
        // Evolution at UTC-3 writes its local time with a Z appended: three hours behind.
        deliver(event("contacts.update", Json.createObjectBuilder().add("id", "clock").build(),
                stamp(OffsetDateTime.now(ZoneOffset.UTC).minusHours(3))), validToken());

        JsonObject offsets = api.get("/api/admin/stats", env.tokens().serviceRole()).json()
                .getJsonObject("evolutionClockOffsetSeconds");
        assertThat(offsets.getJsonNumber(simulator.baseUrl()).doubleValue()).isBetween(-10_830.0, -10_770.0);
        assertThat(api.get("/metrics", null).body()).contains("evolution_clock_offset_seconds");
    }

    @Test
    void aLateRetryCarryingTheFirstAttemptsTokenIsAcceptedAndAnAncientOneRefused() throws Exception {
        String body = event("connection.update", Json.createObjectBuilder().add("state", "connecting").build(),
                stamp(OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(24)));

        Reply ninthAttempt = deliver(body, EvolutionSignatures.deliveryToken(webhookKey(), Duration.ofMinutes(24)));
        Reply tooOld = deliver(event("contacts.update", Json.createObjectBuilder().add("id", "old").build()),
                EvolutionSignatures.deliveryToken(webhookKey(), Duration.ofMinutes(50)));

        assertThat(ninthAttempt.status()).isEqualTo(200);
        assertThat(tooOld.status()).isEqualTo(401);
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? "
                + "AND event IN ('connection.update', 'contacts.update')", instance)).isEqualTo(1);
    }

    @Test
    void evolutionsRetriesCarryingOneTokenAreAcceptedUpToTheNinthAttempt() throws Exception {
        // Attempts 1-8 lost in the network over Evolution's real schedule (scaled), the event first emitted 20 min ago.
        DeliveryAttempts delivery = simulator.deliverWithRetries(instance, "connection.update",
                Json.createObjectBuilder().add("instance", instance).add("state", "open").add("statusReason", 200).build(),
                new RetryPlan(0.001, 8, Duration.ofMinutes(20)));

        assertThat(delivery.statuses()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 200);
        assertThat(delivery.accepted()).isTrue();
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND event = 'connection.update'",
                instance)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(users.status(user).getString("connectionState", null)).isEqualTo("open"));
    }

    @Test
    void aDeliveryRetriedBecauseOurAnswersWereLostIsStoredOnce() throws Exception {
        // The same prepared delivery (one body, one token past its exp) sent three times, as Evolution retries it.
        PreparedDelivery delivery = simulator.prepare(instance, "messages.upsert", Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "RETRIED-1").add("remoteJid", "5511@s.whatsapp.net").add("fromMe", false))
                .add("status", "DELIVERY_ACK").add("messageType", "conversation").build(), Duration.ofMinutes(12));

        List<Integer> answers = List.of(delivery.send().status(), delivery.send().status(), delivery.send().status());

        assertThat(answers).containsExactly(200, 200, 200);
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND event = 'messages.upsert'",
                instance)).isEqualTo(1);
    }

    @Test
    void aServerOlderThanSignedTokensSendsTheJwtKeyHeaderItselfAndIsAccepted() throws Exception {
        simulator.setServerVersion(ServerVersion.V2_2);

        DeliveryAttempts delivery = simulator.deliverWithRetries(instance, "connection.update",
                Json.createObjectBuilder().add("state", "connecting").build(), RetryPlan.scaled(0.001));

        assertThat(delivery.authorization()).isNull();
        assertThat(delivery.statuses()).containsExactly(200);
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND event = 'connection.update'",
                instance)).isEqualTo(1);
    }

    @Test
    void parallelCopiesOfOneDeliveryAreStoredOnceAndAllAnswered2xx() throws Exception {
        String body = event("qrcode.updated", Json.createObjectBuilder()
                .add("qrcode", Json.createObjectBuilder().add("base64", "data:image/png;base64,PAR").add("code", "2@par")).build(),
                stamp(OffsetDateTime.now(ZoneOffset.UTC)));
        String token = validToken();
        ExecutorService copies = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(copies.submit(() -> deliver(body, token).status()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
        } finally {
            copies.shutdown();
        }
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND event = 'qrcode.updated'",
                instance)).isEqualTo(1);
    }

    @Test
    void textWithNulCharactersIsStoredSanitisedAndTheApiKeyIsNotStored() throws Exception {
        String body = Json.createObjectBuilder().add("event", "messages.upsert").add("instance", instance)
                .add("data", Json.createObjectBuilder()
                        .add("key", Json.createObjectBuilder().add("id", "NUL-1").add("remoteJid", "1@s.whatsapp.net"))
                        .add("message", Json.createObjectBuilder().add("conversation", "hi\u0000there")))
                .add("apikey", "EXPOSED-INSTANCE-TOKEN").build().toString(); // JSON carries the NUL as \\u0000

        Reply reply = deliver(body, validToken());

        assertThat(reply.status()).isEqualTo(200);
        String stored = (String) Database.row("SELECT payload::text AS payload FROM webhook_events WHERE instance_name = ?",
                instance).orElseThrow().get("payload");
        assertThat(body).contains("hi\\u0000there");
        assertThat(stored).contains("hi\uFFFDthere").doesNotContain("EXPOSED-INSTANCE-TOKEN");
    }

    @Test
    void anUpdateThatArrivesBeforeItsMessageIsMergedWhenTheMessageArrives() throws Exception {
        deliver(event("messages.update", Json.createObjectBuilder()
                .add("keyId", "EARLY-1").add("remoteJid", "551177@s.whatsapp.net").add("status", "READ").build()), validToken());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.count(
                "SELECT count(*) FROM evolution_messages WHERE instance_name = ? AND message_id = 'EARLY-1'", instance)).isEqualTo(1));

        deliver(event("messages.upsert", Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "EARLY-1").add("remoteJid", "551177@s.whatsapp.net").add("fromMe", true))
                .add("status", "SERVER_ACK").add("messageType", "conversation").add("messageTimestamp", 1_760_000_000).build()), validToken());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.row(
                "SELECT message_type FROM evolution_messages WHERE message_id = 'EARLY-1'").orElseThrow().get("message_type"))
                .isEqualTo("conversation"));
        assertThat(Database.row("SELECT * FROM evolution_messages WHERE instance_name = ? AND message_id = 'EARLY-1'", instance)
                .orElseThrow()).containsEntry("status", "READ").containsEntry("direction", "outbound");
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND apply_error IS NOT NULL",
                instance)).isZero();
    }

    @Test
    void eventsAreAppliedByTheMessageDrivenBeanRightAfterReceipt() throws Exception {
        simulator.deliver(instance, "connection.update", Json.createObjectBuilder().add("state", "connecting").build());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Database.row(
                "SELECT applied_via FROM webhook_events WHERE instance_name = ?", instance).orElseThrow())
                .containsEntry("applied_via", "receipt"));
    }

    @Test
    void anEventStoredWithoutItsMessageIsAppliedByThePoller() throws Exception {
        // As if the broker had refused the nudge a minute ago: only the safety-net poller can find this row.
        Database.update("""
                INSERT INTO webhook_events (instance_name, event, dedup_key, payload, received_at)
                VALUES (?, 'contacts.update', 'missed-' || gen_random_uuid(), '{}', now() - interval '1 minute')""",
                instance);

        // WEBHOOK_APPLY_POLL_INTERVAL is 5 s on the test nodes: at most one interval before the next round, and the
        // message's trip.
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> assertThat(Database.row(
                "SELECT processed_at IS NOT NULL AS applied, applied_via FROM webhook_events WHERE instance_name = ?", instance)
                .orElseThrow()).containsEntry("applied", true).containsEntry("applied_via", "poller"));
    }

    @Test
    void appliedEventsPastTheirRetentionArePurgedAndDeadLettersKept() throws Exception {
        deliver(event("contacts.update", Json.createObjectBuilder().add("id", "old-applied").build()), validToken());
        deliver(event("contacts.update", Json.createObjectBuilder().add("id", "recent").build()), validToken());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.count(
                "SELECT count(*) FROM webhook_events WHERE instance_name = ? AND processed_at IS NULL", instance)).isZero());
        Database.update("UPDATE webhook_events SET received_at = now() - interval '40 days' "
                + "WHERE instance_name = ? AND payload->'data'->>'id' = 'old-applied'", instance);
        Database.update("""
                INSERT INTO webhook_events (instance_name, event, dedup_key, payload, received_at, apply_attempts, apply_error)
                VALUES (?, 'contacts.update', 'dead-letter-' || gen_random_uuid(), '{}', now() - interval '40 days', 5, 'x')""",
                instance);

        Reply purge = api.post("/api/admin/webhooks/purge", env.tokens().serviceRole(), "");

        assertThat(purge.status()).isEqualTo(200);
        assertThat(purge.json().getInt("purged")).isPositive();
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND payload->'data'->>'id' = 'old-applied'",
                instance)).isZero();
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND payload->'data'->>'id' = 'recent'",
                instance)).isEqualTo(1);
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ? AND processed_at IS NULL",
                instance)).as("the dead letter stays").isEqualTo(1);
    }

    @Test
    void aBodyNestedTwentyThousandLevelsDeepIsABadRequestOnEveryEndpoint() {
        String deep = "[".repeat(20_000) + "]".repeat(20_000);
        String webhookBody = "{\"event\":\"x\",\"instance\":\"" + instance + "\",\"data\":" + deep + "}";

        Reply webhook = deliver(webhookBody, validToken());
        Reply signup = api.post("/api/profiles", env.tokens().user(UUID.randomUUID()), "{\"email\":" + deep + "}");
        Reply repair = api.post("/api/instances", env.tokens().serviceRole(), "{\"userId\":" + deep + "}");

        for (Reply reply : List.of(webhook, signup, repair)) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            assertThat(reply.json().getString("error")).isEqualTo("malformed_json");
            assertThat(reply.body()).doesNotContain("Exception").doesNotContain("at org.");
        }
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

        Reply forged = deliver(body, EvolutionSignatures.freshDeliveryToken("not-the-instance-key-0123456789abcdef"));
        Reply expired = deliver(body, EvolutionSignatures.deliveryToken(webhookKey(), Duration.ofMinutes(46)));
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
                EvolutionSignatures.freshDeliveryToken(oldKey)).status()).isEqualTo(200);
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
        return EvolutionSignatures.freshDeliveryToken(uncheckedKey());
    }

    /** How Evolution writes date_time: ISO local time with a Z (here the test runs its clock in UTC). */
    private static String stamp(OffsetDateTime at) {
        return at.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime().truncatedTo(ChronoUnit.MILLIS)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"));
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
