package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import com.evolutionprovisioner.simulator.DeliveryAttempts.Attempt;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.DeliveryResult;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import com.evolutionprovisioner.simulator.RecordingReceiver.Received;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Evolution's retry loop as the simulator runs it: one prepared delivery, re-posted per the release's schedule. */
class WebhookRetriesTest extends SimulatorTest {

    private static final String SECRET = "per-instance-webhook-secret-of-at-least-32-bytes";
    private static final JsonObject OPEN = Json.createObjectBuilder().add("state", "open").build();

    @Test
    void everyRetryRepostsTheIdenticalBodyAndTokenAfterTheScaledExponentialDelays() {
        subscribe("user-1", hook());
        receiver.answer(503, 503, 503);

        DeliveryAttempts delivery = simulator.deliverWithRetries("user-1", "connection.update", OPEN, RetryPlan.scaled(0.01));

        assertThat(delivery.statuses()).containsExactly(503, 503, 503, 200);
        assertThat(delivery.accepted()).isTrue();
        List<Received> received = receiver.received();
        assertThat(received).hasSize(4)
                .allSatisfy(request -> {
                    assertThat(request.body()).isEqualTo(delivery.body());
                    assertThat(request.header("Authorization")).isEqualTo(delivery.authorization());
                });
        assertThat(delivery.authorization()).startsWith("Bearer ");
        // 5 s, 10 s, 20 s nominal, ±20 % jitter but never under 5 s, times 0.01
        List<Attempt> attempts = delivery.attempts();
        assertThat(attempts.get(0).delayBefore()).isZero();
        assertThat(attempts.get(1).delayBefore()).isBetween(Duration.ofMillis(50), Duration.ofMillis(60));
        assertThat(attempts.get(2).delayBefore()).isBetween(Duration.ofMillis(80), Duration.ofMillis(120));
        assertThat(attempts.get(3).delayBefore()).isBetween(Duration.ofMillis(160), Duration.ofMillis(240));
        for (int i = 1; i < 4; i++) {
            long gapNanos = received.get(i).arrivedNanos() - received.get(i - 1).arrivedNanos();
            assertThat(gapNanos).isGreaterThanOrEqualTo(attempts.get(i).delayBefore().toNanos());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void aStatusEvolutionNeverRetriesEndsTheDeliveryAtOnce(int status) {
        subscribe("user-1", hook());
        receiver.answer(status);

        DeliveryAttempts delivery = simulator.deliverWithRetries("user-1", "connection.update", OPEN, RetryPlan.scaled(0.001));

        assertThat(delivery.statuses()).containsExactly(status);
        assertThat(delivery.accepted()).isFalse();
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void evolutionGivesUpAfterTenAttemptsAndRetriesIoErrorsToo() throws Exception {
        simulator.preCreateInstance("user-1");
        setWebhook("user-1", "http://127.0.0.1:" + closedPort() + "/hook");

        DeliveryAttempts delivery = simulator.deliverWithRetries("user-1", "connection.update", OPEN, RetryPlan.scaled(0.0001));

        assertThat(delivery.statuses()).hasSize(10).containsOnly(0);
        assertThat(delivery.attempts()).allSatisfy(attempt -> {
            assertThat(attempt.lost()).isFalse();
            assertThat(attempt.detail()).contains("ConnectException");
        });
        assertThat(delivery.accepted()).isFalse();
    }

    @Test
    void lostAttemptsNeverReachTheReceiverAndAreRetried() {
        subscribe("user-1", hook());

        DeliveryAttempts delivery = simulator.deliverWithRetries("user-1", "connection.update", OPEN,
                new RetryPlan(0.001, 2, Duration.ZERO));

        assertThat(delivery.statuses()).containsExactly(0, 0, 200);
        assertThat(delivery.attempts()).extracting(Attempt::lost).containsExactly(true, true, false);
        assertThat(receiver.received()).singleElement()
                .satisfies(request -> assertThat(request.body()).isEqualTo(delivery.body()));
    }

    @Test
    void anEventStartedTwentyMinutesAgoCarriesItsOldTokenAndDateTimeOnTheNinthAttempt() throws Exception {
        subscribe("user-1", hook());

        DeliveryAttempts delivery = simulator.deliverWithRetries("user-1", "connection.update", OPEN,
                new RetryPlan(0.001, 8, Duration.ofMinutes(20)));

        assertThat(delivery.statuses()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 200);
        Received ninth = receiver.received().get(0);
        JWTClaimsSet claims = verifiedClaims(ninth.header("Authorization"));
        long twentyMinutesAgo = Instant.now().minus(Duration.ofMinutes(20)).getEpochSecond();
        assertThat(claims.getIssueTime().toInstant().getEpochSecond()).isCloseTo(twentyMinutesAgo, within(5L));
        assertThat(claims.getExpirationTime()).isBefore(Date.from(Instant.now())); // long expired
        assertThat(dateTimeOf(ninth)).isCloseTo(LocalDateTime.now(ZoneOffset.UTC).minusMinutes(20),
                within(5, ChronoUnit.SECONDS));
    }

    @Test
    void aPreparedDeliveryCanBePostedManyTimesInParallel() throws Exception {
        subscribe("user-1", hook());
        PreparedDelivery delivery = simulator.prepare("user-1", "connection.update", OPEN, Duration.ZERO);
        int copies = 8;
        receiver.holdUntil(copies); // no request is answered before all have arrived: they really run side by side

        List<DeliveryResult> results = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(copies);
        try {
            List<Callable<DeliveryResult>> posts = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                posts.add(delivery::send);
            }
            for (Future<DeliveryResult> result : senders.invokeAll(posts)) {
                results.add(result.get());
            }
        } finally {
            senders.shutdownNow();
        }

        assertThat(results).hasSize(copies).allSatisfy(result -> assertThat(result.status()).isEqualTo(200));
        assertThat(receiver.received()).hasSize(copies).allSatisfy(request -> {
            assertThat(request.body()).isEqualTo(delivery.body());
            assertThat(request.header("Authorization")).isEqualTo(delivery.authorization());
        });
    }

    @Test
    void a22ServerRetriesEvenA401Every30Seconds() {
        simulator.setServerVersion(ServerVersion.V2_2);
        subscribe("user-1", hook());
        receiver.answer(401, 401);

        DeliveryAttempts delivery = simulator.deliverWithRetries("user-1", "connection.update", OPEN, RetryPlan.scaled(0.001));

        assertThat(delivery.statuses()).containsExactly(401, 401, 200);
        assertThat(delivery.attempts()).extracting(Attempt::delayBefore)
                .containsExactly(Duration.ZERO, Duration.ofMillis(30), Duration.ofMillis(30));
    }

    @Test
    void a20ServerPostsOnceAndNeverRetries() {
        simulator.setServerVersion(ServerVersion.V2_0);
        simulator.preCreateInstance("user-1");
        receiver = RecordingReceiver.start();
        http.call("POST", "/webhook/set/user-1", KEY, "{\"enabled\":true,\"url\":\"" + hook() + "\",\"events\":[]}");
        receiver.answer(503);

        DeliveryAttempts delivery = simulator.deliverWithRetries("user-1", "connection.update", OPEN, RetryPlan.scaled(0.001));

        assertThat(delivery.statuses()).containsExactly(503);
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void theAdminDeliverEndpointRunsTheRetriesToo() {
        subscribe("user-1", hook());
        receiver.answer(500);

        JsonObject answer = SimulatorHttp.json(http.call("POST", "/__admin/deliver", null,
                "{\"instance\":\"user-1\",\"event\":\"connection.update\",\"data\":{\"state\":\"open\"},"
                        + "\"retries\":{\"timeFactor\":0.001,\"lostAttempts\":1,\"startedAgoSeconds\":0}}")).asJsonObject();

        assertThat(answer.getBoolean("accepted")).isTrue();
        assertThat(answer.getInt("status")).isEqualTo(200);
        assertThat(answer.getJsonArray("attempts").getValuesAs(JsonObject.class))
                .extracting(attempt -> attempt.getInt("status"), attempt -> attempt.getBoolean("lost"))
                .containsExactly(tuple(0, true), tuple(500, false),
                        tuple(200, false));
        assertThat(answer.getString("authorization")).startsWith("Bearer ");
        assertThat(receiver.received()).hasSize(2)
                .allSatisfy(request -> assertThat(request.body()).isEqualTo(answer.getString("payload")));
    }

    private String hook() {
        if (receiver == null) {
            receiver = RecordingReceiver.start();
        }
        return receiver.url("/hook");
    }

    /** An instance whose webhook (2.1 body, signed with SECRET) takes every event. */
    private static void subscribe(String instance, String url) {
        simulator.preCreateInstance(instance);
        setWebhook(instance, url);
    }

    private static void setWebhook(String instance, String url) {
        assertThat(http.call("POST", "/webhook/set/" + instance, KEY, "{\"webhook\":{\"enabled\":true,\"url\":\"" + url
                + "\",\"headers\":{\"jwt_key\":\"" + SECRET + "\"},\"events\":[]}}").statusCode()).isEqualTo(201);
    }

    private static JWTClaimsSet verifiedClaims(String authorization) throws Exception {
        SignedJWT jwt = SignedJWT.parse(authorization.substring("Bearer ".length()));
        assertThat(jwt.verify(new MACVerifier(SECRET.getBytes(UTF_8)))).isTrue();
        return jwt.getJWTClaimsSet();
    }

    private static LocalDateTime dateTimeOf(Received request) {
        String stamp = request.json().getString("date_time");
        assertThat(stamp).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        return LocalDateTime.parse(stamp, DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"));
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
