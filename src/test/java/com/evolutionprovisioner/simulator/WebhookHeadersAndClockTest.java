package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import com.evolutionprovisioner.simulator.RecordingReceiver.Received;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a delivery carries per release (headers, apikey) and per server clock (date_time, iat, X-Timestamp). */
class WebhookHeadersAndClockTest extends SimulatorTest {

    private static final String SECRET = "per-instance-webhook-secret-of-at-least-32-bytes";
    private static final JsonObject QR = Json.createObjectBuilder()
            .add("qrcode", Json.createObjectBuilder().add("code", "2@abc")).build();
    private static final String NESTED_SET = "{\"webhook\":{\"enabled\":true,\"url\":\"%s\","
            + "\"headers\":{\"jwt_key\":\"" + SECRET + "\",\"x-static\":\"kept\"},\"events\":[]}}";

    @BeforeEach
    void startReceiver() {
        receiver = RecordingReceiver.start();
    }

    @Test
    void aServerAtUtcMinus3StampsThreeHoursBehindAndASkewedClockShiftsStampAndToken() throws Exception {
        simulator.setServerVersion(ServerVersion.V2_4);
        configureNested("user-1");
        simulator.setClock(Duration.ofHours(-3), Duration.ofSeconds(90));

        simulator.deliver("user-1", "qrcode.updated", QR);

        Received request = receiver.received().get(0);
        assertThat(dateTimeOf(request)).isCloseTo(LocalDateTime.now(ZoneOffset.UTC).minusHours(3).plusSeconds(90),
                within(5, ChronoUnit.SECONDS));
        long skewedNow = Instant.now().plusSeconds(90).getEpochSecond();
        SignedJWT jwt = SignedJWT.parse(request.header("Authorization").substring("Bearer ".length()));
        assertThat(jwt.verify(new MACVerifier(SECRET.getBytes(UTF_8)))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getIssueTime().toInstant().getEpochSecond()).isCloseTo(skewedNow, within(5L));
        assertThat(Long.parseLong(request.header("X-Timestamp")) / 1000).isCloseTo(skewedNow, within(5L));
    }

    @Test
    void theAdminClockEndpointSetsTheZoneAndResetPutsItBackToUtc() {
        configureNested("user-1");
        http.call("POST", "/__admin/clock", null, "{\"timeZoneOffsetMinutes\":120,\"skewSeconds\":0}");

        simulator.deliver("user-1", "qrcode.updated", QR);
        simulator.reset();
        configureNested("user-1");
        simulator.deliver("user-1", "qrcode.updated", QR);

        LocalDateTime utcNow = LocalDateTime.now(ZoneOffset.UTC);
        assertThat(dateTimeOf(receiver.received().get(0))).isCloseTo(utcNow.plusHours(2), within(5, ChronoUnit.SECONDS));
        assertThat(dateTimeOf(receiver.received().get(1))).isCloseTo(utcNow, within(5, ChronoUnit.SECONDS));
    }

    @Test
    void a20ServerStoresNoWebhookHeadersAndSendsNoneAndNoApikey() {
        simulator.setServerVersion(ServerVersion.V2_0);
        simulator.preCreateInstance("user-1");
        http.call("POST", "/webhook/set/user-1", KEY, "{\"enabled\":true,\"url\":\"" + receiver.url("/hook") + "\","
                + "\"headers\":{\"jwt_key\":\"" + SECRET + "\",\"x-static\":\"kept\"},\"events\":[]}");

        simulator.deliver("user-1", "qrcode.updated", QR);

        assertThat(simulator.webhookOf("user-1").orElseThrow().get("headers")).isEqualTo(JsonValue.NULL);
        Received request = receiver.received().get(0);
        assertNoCustomHeaders(request);
        assertThat(request.json()).doesNotContainKey("apikey");
    }

    @Test
    void a1xServerSendsNoWebhookHeadersButExposesTheInstanceToken() {
        simulator.setServerVersion(ServerVersion.V1);
        JsonObject created = SimulatorHttp.json(http.call("POST", "/instance/create", KEY,
                "{\"instanceName\":\"user-1\",\"integration\":\"WHATSAPP-BAILEYS\"}")).asJsonObject();
        http.call("POST", "/webhook/set/user-1", KEY, "{\"enabled\":true,\"url\":\"" + receiver.url("/hook") + "\","
                + "\"headers\":{\"jwt_key\":\"" + SECRET + "\"},\"events\":[]}");

        simulator.deliver("user-1", "qrcode.updated", QR);

        Received request = receiver.received().get(0);
        assertNoCustomHeaders(request);
        assertThat(request.json().getString("apikey")).isEqualTo(created.getJsonObject("hash").getString("apikey"));
    }

    @Test
    void a22ServerSendsTheStoredHeadersRawJwtKeyIncluded() {
        simulator.setServerVersion(ServerVersion.V2_2);
        configureNested("user-1");

        simulator.deliver("user-1", "qrcode.updated", QR);

        Received request = receiver.received().get(0);
        assertThat(request.header("jwt_key")).isEqualTo(SECRET);
        assertThat(request.header("x-static")).isEqualTo("kept");
        assertThat(request.headers().containsKey("Authorization")).isFalse();
        assertThat(request.headers().containsKey("X-Instance-Name")).isFalse();
        assertThat(request.json().get("apikey")).isEqualTo(JsonValue.NULL);
    }

    @Test
    void only24SendsTheXHeadersAndItsOwnUserAgent() {
        configureNested("user-1");
        simulator.deliver("user-1", "qrcode.updated", QR);
        simulator.setServerVersion(ServerVersion.V2_4);
        simulator.deliver("user-1", "qrcode.updated", QR);

        Received from23 = receiver.received().get(0);
        Received from24 = receiver.received().get(1);
        assertThat(List.of("X-Instance-ID", "X-Instance-Name", "X-Event-Type", "X-Timestamp"))
                .noneMatch(from23.headers()::containsKey);
        assertThat(from23.header("User-Agent")).isEqualTo("axios/1.7.9");
        assertThat(from23.header("Authorization")).startsWith("Bearer ");
        assertThat(from24.header("X-Instance-ID")).isEqualTo(simulator.webhookOf("user-1").orElseThrow().getString("instanceId"));
        assertThat(from24.header("X-Instance-Name")).isEqualTo("user-1");
        assertThat(from24.header("X-Event-Type")).isEqualTo("qrcode.updated");
        assertThat(Long.parseLong(from24.header("X-Timestamp"))).isCloseTo(System.currentTimeMillis(), within(5000L));
        assertThat(from24.header("User-Agent")).isEqualTo("EvolutionAPI-Webhook/2.3.7");
        assertThat(from24.header("Authorization")).startsWith("Bearer ");
        assertThat(from24.header("x-static")).isEqualTo("kept");
        assertThat(from24.headers().containsKey("jwt_key")).isFalse();
        assertThat(SimulatorHttp.json(http.call("GET", "/", null, null)).asJsonObject().getString("version"))
                .isEqualTo("2.4.0");
    }

    private void configureNested(String instance) {
        simulator.preCreateInstance(instance);
        assertThat(http.call("POST", "/webhook/set/" + instance, KEY, NESTED_SET.formatted(receiver.url("/hook")))
                .statusCode()).isEqualTo(201);
    }

    private static void assertNoCustomHeaders(Received request) {
        assertThat(request.headers().containsKey("jwt_key")).isFalse();
        assertThat(request.headers().containsKey("x-static")).isFalse();
        assertThat(request.headers().containsKey("Authorization")).isFalse();
        assertThat(request.headers().containsKey("X-Instance-Name")).isFalse();
        assertThat(request.header("User-Agent")).isEqualTo("axios/1.6.5");
    }

    private static LocalDateTime dateTimeOf(Received request) {
        return LocalDateTime.parse(request.json().getString("date_time"),
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"));
    }
}
