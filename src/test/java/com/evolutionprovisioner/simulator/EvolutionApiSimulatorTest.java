package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.DeliveryResult;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EvolutionApiSimulatorTest extends SimulatorTest {


    @Test
    void aWrongOrMissingApiKeyIs401() throws Exception {
        HttpResponse<String> wrong = http.call("GET", "/instance/fetchInstances", "not-the-key", null);
        HttpResponse<String> missing = http.call("GET", "/instance/fetchInstances", null, null);

        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(SimulatorHttp.json(wrong)).isEqualTo(SimulatorHttp.json(
                "{\"status\":401,\"error\":\"Unauthorized\",\"response\":{\"message\":\"Unauthorized\"}}"));
        assertThat(missing.statusCode()).isEqualTo(401);
    }

    @Test
    void createAnswers201AndTheSameNameThen403EvenBeforeTheKeyCheck() throws Exception {
        HttpResponse<String> created = create("{\"instanceName\":\"user-1\",\"integration\":\"WHATSAPP-BAILEYS\"}");
        HttpResponse<String> again = http.call("POST", "/instance/create", "wrong-key",
                "{\"instanceName\":\"user-1\",\"integration\":\"WHATSAPP-BAILEYS\"}");

        assertThat(created.statusCode()).isEqualTo(201);
        JsonObject body = SimulatorHttp.json(created).asJsonObject();
        assertThat(body.getJsonObject("instance").getString("instanceName")).isEqualTo("user-1");
        assertThat(body.getJsonObject("instance").getString("instanceId")).isNotBlank();
        assertThat(body.getString("hash")).matches("[0-9A-F-]{36}");
        assertThat(again.statusCode()).isEqualTo(403);
        assertThat(SimulatorHttp.json(again).asJsonObject().getJsonObject("response").getJsonArray("message").getString(0))
                .isEqualTo("This name \"user-1\" is already in use.");
        assertThat(simulator.createCallsFor("user-1")).isEqualTo(2);
    }

    @Test
    void createWithoutIntegrationIs400() throws Exception {
        HttpResponse<String> response = create("{\"instanceName\":\"user-1\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(SimulatorHttp.json(response)).isEqualTo(SimulatorHttp.json(
                "{\"status\":400,\"error\":\"Bad Request\",\"response\":{\"message\":[\"Invalid integration\"]}}"));
        assertThat(simulator.instanceCount()).isZero();
    }

    @Test
    void v21CreateWithANestedWebhookWithoutEventsIs400AndCreatesNothing() throws Exception {
        HttpResponse<String> response = create("{\"instanceName\":\"user-1\",\"integration\":\"WHATSAPP-BAILEYS\","
                + "\"webhook\":{\"url\":\"http://receiver/hook\",\"byEvents\":false}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(simulator.instanceCount()).isZero();
    }

    @Test
    void v21CreateStoresANestedWebhookButIgnoresTheFlatFields() throws Exception {
        create("{\"instanceName\":\"nested\",\"integration\":\"WHATSAPP-BAILEYS\","
                + "\"webhook\":{\"url\":\"http://receiver/hook\",\"events\":[\"QRCODE_UPDATED\"]}}");
        create("{\"instanceName\":\"flat\",\"integration\":\"WHATSAPP-BAILEYS\","
                + "\"webhookUrl\":\"http://receiver/hook\",\"webhookEvents\":[\"QRCODE_UPDATED\"]}");

        assertThat(simulator.webhookOf("nested")).hasValueSatisfying(row -> {
            assertThat(row.getString("url")).isEqualTo("http://receiver/hook");
            assertThat(row.getBoolean("enabled")).isTrue();
        });
        assertThat(simulator.webhookOf("flat")).isEmpty();
    }

    @Test
    void v21WebhookSetStoresTheNestedBodyAndFindReturnsIt() throws Exception {
        simulator.preCreateInstance("user-1");

        HttpResponse<String> set = http.call("POST", "/webhook/set/user-1", KEY, "{\"webhook\":{\"enabled\":true,"
                + "\"url\":\"http://receiver/hook\",\"headers\":{\"jwt_key\":\"k\"},\"byEvents\":false,"
                + "\"base64\":false,\"events\":[\"QRCODE_UPDATED\",\"CONNECTION_UPDATE\"]}}");
        HttpResponse<String> find = http.call("GET", "/webhook/find/user-1", KEY, null);

        assertThat(set.statusCode()).isEqualTo(201);
        JsonObject row = SimulatorHttp.json(find).asJsonObject();
        assertThat(row.getString("url")).isEqualTo("http://receiver/hook");
        assertThat(row.getJsonArray("events").getValuesAs(JsonValue::toString))
                .containsExactly("\"QRCODE_UPDATED\"", "\"CONNECTION_UPDATE\"");
        assertThat(row.getJsonObject("headers").getString("jwt_key")).isEqualTo("k");
        assertThat(row.getString("instanceId")).isNotBlank();
    }

    @Test
    void v21WebhookSetRejectsAFlatBodyAndCrashesWithoutEvents() throws Exception {
        simulator.preCreateInstance("user-1");

        HttpResponse<String> flat = http.call("POST", "/webhook/set/user-1", KEY,
                "{\"enabled\":true,\"url\":\"http://receiver/hook\",\"events\":[]}");
        HttpResponse<String> noEvents = http.call("POST", "/webhook/set/user-1", KEY,
                "{\"webhook\":{\"enabled\":true,\"url\":\"http://receiver/hook\"}}");

        assertThat(flat.statusCode()).isEqualTo(400);
        assertThat(SimulatorHttp.json(flat)).isEqualTo(SimulatorHttp.json("{\"status\":400,\"error\":\"Bad Request\","
                + "\"response\":{\"message\":[[\"instance requires property \\\"webhook\\\"\"]]}}"));
        assertThat(noEvents.statusCode()).isEqualTo(500);
    }

    @Test
    void v20RejectsTheNestedBodyAndAcceptsTheFlatOne() throws Exception {
        simulator.setServerVersion(ServerVersion.V2_0);
        simulator.preCreateInstance("user-1");

        HttpResponse<String> nested = http.call("POST", "/webhook/set/user-1", KEY,
                "{\"webhook\":{\"enabled\":true,\"url\":\"http://receiver/hook\",\"events\":[]}}");
        HttpResponse<String> flat = http.call("POST", "/webhook/set/user-1", KEY, "{\"enabled\":true,"
                + "\"url\":\"http://receiver/hook\",\"webhookByEvents\":true,\"webhookBase64\":false,"
                + "\"events\":[\"MESSAGES_UPSERT\"]}");

        assertThat(nested.statusCode()).isEqualTo(400);
        assertThat(flat.statusCode()).isEqualTo(201);
        JsonObject row = simulator.webhookOf("user-1").orElseThrow();
        assertThat(row.getBoolean("webhookByEvents")).isTrue();
        assertThat(row.getJsonArray("events").getString(0)).isEqualTo("MESSAGES_UPSERT");
    }

    @Test
    void v1AcceptsItsFlatBodyAndRejectsTheV20One() throws Exception {
        simulator.setServerVersion(ServerVersion.V1);
        simulator.preCreateInstance("user-1");

        HttpResponse<String> v20 = http.call("POST", "/webhook/set/user-1", KEY,
                "{\"enabled\":true,\"url\":\"http://receiver/hook\",\"webhookByEvents\":false,\"events\":[]}");
        HttpResponse<String> v1 = http.call("POST", "/webhook/set/user-1", KEY,
                "{\"enabled\":true,\"url\":\"http://receiver/hook\",\"webhook_by_events\":false,\"events\":[]}");

        assertThat(v20.statusCode()).isEqualTo(400);
        assertThat(v1.statusCode()).isEqualTo(201);
        assertThat(simulator.webhookOf("user-1").orElseThrow().getJsonArray("events"))
                .hasSameSizeAs(SimulatedEvolution.EVENTS); // [] means every event
    }

    @Test
    void failNextFailsTwoCallsThenLetsThemThrough() throws Exception {
        simulator.failNext(2, 500);

        HttpResponse<String> first = http.call("GET", "/instance/fetchInstances", KEY, null);
        HttpResponse<String> second = http.call("GET", "/instance/fetchInstances", KEY, null);
        HttpResponse<String> third = http.call("GET", "/instance/fetchInstances", KEY, null);

        assertThat(first.statusCode()).isEqualTo(500);
        assertThat(SimulatorHttp.json(first)).isEqualTo(SimulatorHttp.json(
                "{\"status\":500,\"error\":\"Injected\",\"response\":{\"message\":[\"injected fault\"]}}"));
        assertThat(second.statusCode()).isEqualTo(500);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(simulator.calls()).extracting(EvolutionApiSimulator.RecordedCall::status).containsExactly(500, 500, 200);
    }

    @Test
    void failNextWithAPrefixOnlyCountsMatchingCalls() throws Exception {
        simulator.failNext(1, 503, "/instance/create");

        HttpResponse<String> other = http.call("GET", "/instance/fetchInstances", KEY, null);
        HttpResponse<String> create = create("{\"instanceName\":\"user-1\",\"integration\":\"WHATSAPP-BAILEYS\"}");

        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(create.statusCode()).isEqualTo(503);
        assertThat(simulator.instanceCount()).isZero();
    }

    @Test
    void anUnknownInstanceIs404BeforeTheKeyCheck() throws Exception {
        HttpResponse<String> response = http.call("GET", "/webhook/find/nobody", "wrong-key", null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(SimulatorHttp.json(response)).isEqualTo(SimulatorHttp.json("{\"status\":404,\"error\":\"Not Found\","
                + "\"response\":{\"message\":[\"The \\\"nobody\\\" instance does not exist\"]}}"));
    }

    @Test
    void aDownServerDropsTheConnection() {
        simulator.setDown(true);

        assertThatThrownBy(() -> http.call("GET", "/instance/fetchInstances", KEY, null))
                .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(IOException.class);
        // the JDK client retries an idempotent GET once on a dropped connection, so there may be two
        assertThat(simulator.calls()).isNotEmpty().allSatisfy(call -> assertThat(call.status()).isZero());
    }

    @Test
    void aHangHoldsCallsUntilReleased() throws Exception {
        simulator.hang(true);
        CompletableFuture<HttpResponse<String>> pending = http.callAsync("GET", "/instance/fetchInstances", KEY, null);

        Thread.sleep(300);
        assertThat(pending).isNotDone();
        simulator.hang(false);
        assertThat(pending.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void adminEndpointsDriveTheSimulatorOverHttp() throws Exception {
        assertThat(http.call("GET", "/__admin/health", null, null).statusCode()).isEqualTo(200);
        http.call("POST", "/__admin/version", null, "{\"version\":\"v1\"}");
        http.call("POST", "/__admin/instances", null, "{\"instanceName\":\"legacy\"}");
        http.call("POST", "/__admin/faults", null, "{\"failNext\":1,\"status\":502}");

        assertThat(http.call("GET", "/instance/connectionState/legacy", KEY, null).statusCode()).isEqualTo(502);
        HttpResponse<String> created = create("{\"instanceName\":\"user-1\",\"integration\":\"WHATSAPP-BAILEYS\"}");
        assertThat(SimulatorHttp.json(created).asJsonObject().getJsonObject("hash").getString("apikey")).isNotBlank();
        JsonArray calls = SimulatorHttp.json(http.call("GET", "/__admin/calls", null, null)).asJsonArray();
        assertThat(calls).hasSize(2);
        assertThat(calls.getJsonObject(0).getString("path")).isEqualTo("/instance/connectionState/legacy");
    }

    @Test
    void aDeliveryWithAJwtKeyCarriesAVerifiableBearerTokenInsteadOfTheKey() throws Exception {
        String secret = "per-instance-webhook-secret-of-at-least-32-bytes";
        AtomicReference<Headers> receivedHeaders = new AtomicReference<>();
        AtomicReference<String> receivedPath = new AtomicReference<>();
        AtomicReference<String> receivedBody = new AtomicReference<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            receivedHeaders.set(exchange.getRequestHeaders());
            receivedPath.set(exchange.getRequestURI().getPath());
            receivedBody.set(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
            byte[] answer = "stored".getBytes(UTF_8);
            exchange.sendResponseHeaders(202, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.start();
        try {
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            simulator.preCreateInstance("user-1");
            http.call("POST", "/webhook/set/user-1", KEY, "{\"webhook\":{\"enabled\":true,\"url\":\"" + hook + "\","
                    + "\"headers\":{\"jwt_key\":\"" + secret + "\",\"x-static\":\"kept\"},\"byEvents\":true,"
                    + "\"events\":[\"QRCODE_UPDATED\"]}}");

            DeliveryResult result = simulator.deliver("user-1", "qrcode.updated",
                    Json.createObjectBuilder().add("qrcode", Json.createObjectBuilder().add("code", "2@abc")).build());

            assertThat(result).isEqualTo(new DeliveryResult(202, "stored"));
            assertThat(receivedPath.get()).isEqualTo("/hook/qrcode-updated");
            Headers headers = receivedHeaders.get();
            assertThat(headers.containsKey("jwt_key")).isFalse();
            assertThat(headers.getFirst("x-static")).isEqualTo("kept");
            assertThat(headers.containsKey("X-Instance-Name")).isFalse(); // a 2.4 header; the default is 2.3
            String authorization = headers.getFirst("Authorization");
            assertThat(authorization).startsWith("Bearer ");
            SignedJWT jwt = SignedJWT.parse(authorization.substring("Bearer ".length()));
            assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
            assertThat(jwt.verify(new MACVerifier(secret.getBytes(UTF_8)))).isTrue();
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            assertThat(claims.getStringClaim("app")).isEqualTo("evolution");
            assertThat(claims.getStringClaim("action")).isEqualTo("webhook");
            assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(600_000);
            JsonObject payload = SimulatorHttp.json(receivedBody.get()).asJsonObject();
            assertThat(payload.getString("event")).isEqualTo("qrcode.updated");
            assertThat(payload.getString("instance")).isEqualTo("user-1");
            assertThat(payload.getString("destination")).isEqualTo(hook);
            assertThat(payload.get("apikey")).isEqualTo(JsonValue.NULL);
            assertThat(payload.getJsonObject("data").getJsonObject("qrcode").getString("code")).isEqualTo("2@abc");
            assertThatThrownBy(() -> simulator.deliver("user-1", "messages.upsert", JsonValue.EMPTY_JSON_OBJECT))
                    .isInstanceOf(IllegalStateException.class); // not subscribed
        } finally {
            receiver.stop(0);
        }
    }

    private static HttpResponse<String> create(String body) {
        return http.call("POST", "/instance/create", KEY, body);
    }
}
