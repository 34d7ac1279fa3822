package com.evolutionprovisioner.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import com.evolutionprovisioner.simulator.RecordingReceiver.Received;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The licence gate, delete's slow removal, the v1 fetchInstances shape, and connect with the phone side (QR, pairing). */
class InstanceLifecycleTest extends SimulatorTest {

    private static final String WUID = "5511999999999@s.whatsapp.net";
    private static final String CREATE = "{\"instanceName\":\"user-1\",\"integration\":\"WHATSAPP-BAILEYS\"}";
    private static final String PAIRING_CODE = "[1-9A-HJ-NP-TV-Z]{8}";

    @BeforeEach
    void startReceiver() {
        receiver = RecordingReceiver.start();
        simulator.setConnectWait(Duration.ZERO);
    }

    @Test
    void theLicenceGateAnswers503BeforeTheInstanceAndKeyChecks() {
        simulator.setLicenceRequired(true);

        HttpResponse<String> unknownInstanceWrongKey = http.call("GET", "/webhook/find/nobody", "wrong-key", null);
        HttpResponse<String> createWrongKey = http.call("POST", "/instance/create", "wrong-key", CREATE);
        HttpResponse<String> unknownRoute = http.call("GET", "/chat/whatever", null, null);

        String managerLogin = simulator.baseUrl() + "/manager/login";
        for (HttpResponse<String> response : List.of(unknownInstanceWrongKey, createWrongKey, unknownRoute)) {
            assertThat(response.statusCode()).isEqualTo(503);
            JsonObject body = SimulatorHttp.json(response).asJsonObject();
            assertThat(body.keySet()).containsExactly("error", "code", "register_url", "instance_id", "docs_url", "message");
            assertThat(body.getString("error")).isEqualTo("service not activated");
            assertThat(body.getString("code")).isEqualTo("LICENSE_REQUIRED");
            assertThat(body.getString("register_url")).isEqualTo(managerLogin);
            assertThat(body.getString("instance_id")).matches("[0-9a-f-]{36}");
            assertThat(body.getString("docs_url")).isEqualTo("https://docs.evolutionfoundation.com.br/licensing");
            assertThat(body.getString("message")).startsWith("This Evolution API instance is not activated. Open " + managerLogin);
        }
        assertThat(http.call("GET", "/", null, null).statusCode()).isEqualTo(200);
        assertThat(http.call("GET", "/manager/login", null, null).statusCode()).isEqualTo(404); // passes the gate
        assertThat(http.call("POST", "/instance/create", KEY, "{not json").statusCode()).isEqualTo(400); // parsed first
        assertThat(simulator.instanceCount()).isZero();

        http.call("POST", "/__admin/faults", null, "{\"licenceRequired\":false}");
        assertThat(http.call("GET", "/instance/fetchInstances", KEY, null).statusCode()).isEqualTo(200);
    }

    @Test
    void deleteAnswersAtOnceAndTheInstanceLastsUntilRemoveInstanceIsDeliveredWithItsRetries() {
        simulator.setRemovalDelay(Duration.ZERO);
        simulator.setEventRetryPlan(RetryPlan.scaled(0.05)); // the two retries below wait at least 250 ms and 400 ms
        simulator.preCreateInstance("user-1");
        setWebhook("user-1", "\"REMOVE_INSTANCE\",\"INSTANCE_DELETE\",\"CONNECTION_UPDATE\"");
        simulator.deliver("user-1", "connection.update", Json.createObjectBuilder().add("state", "open").add("wuid", WUID).build());
        receiver.answerFor("remove.instance", 503, 503);
        List<Boolean> existedOnArrival = new CopyOnWriteArrayList<>();
        receiver.observe(request -> {
            if (request.event().equals("remove.instance")) {
                existedOnArrival.add(simulator.stateOf("user-1").isPresent());
            }
        });

        HttpResponse<String> delete = http.call("DELETE", "/instance/delete/user-1", KEY, null);
        HttpResponse<String> createDuringRemoval = http.call("POST", "/instance/create", KEY, CREATE);
        HttpResponse<String> stateDuringRemoval = http.call("GET", "/instance/connectionState/user-1", KEY, null);

        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(SimulatorHttp.json(delete)).isEqualTo(SimulatorHttp.json(
                "{\"status\":\"SUCCESS\",\"error\":false,\"response\":{\"message\":\"Instance deleted\"}}"));
        assertThat(createDuringRemoval.statusCode()).isEqualTo(403);
        assertThat(createDuringRemoval.body()).contains("This name \\\"user-1\\\" is already in use.");
        assertThat(SimulatorHttp.json(stateDuringRemoval).asJsonObject().getJsonObject("instance").getString("state"))
                .isEqualTo("close"); // logged out first
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.stateOf("user-1").isEmpty());
        assertThat(existedOnArrival).containsExactly(true, true, true);
        assertThat(receiver.received("remove.instance")).hasSize(3).allSatisfy(request -> {
            assertThat(request.json().get("data")).isEqualTo(JsonValue.NULL);
            assertThat(request.json().getString("sender")).isEqualTo(WUID);
        });
        JsonObject deleted = receiver.received("instance.delete").get(0).json().getJsonObject("data");
        assertThat(deleted.getString("instanceName")).isEqualTo("user-1");
        assertThat(deleted.getString("instanceId")).isNotBlank();
        assertThat(http.call("GET", "/instance/connectionState/user-1", KEY, null).statusCode()).isEqualTo(404);
        assertThat(http.call("POST", "/instance/create", KEY, CREATE).statusCode()).isEqualTo(201);
    }

    @Test
    void withoutARemoveInstanceSubscriptionTheRemovalDelayAloneHoldsTheName() {
        http.call("POST", "/__admin/faults", null, "{\"removalDelayMs\":400}");
        assertThat(http.call("POST", "/instance/create", KEY, CREATE).statusCode()).isEqualTo(201);

        long deletedAt = System.nanoTime();
        assertThat(http.call("DELETE", "/instance/delete/user-1", KEY, null).statusCode()).isEqualTo(200);

        assertThat(http.call("POST", "/instance/create", KEY, CREATE).statusCode()).isEqualTo(403);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> http.call("GET", "/instance/connectionState/user-1", KEY, null).statusCode() == 404);
        assertThat(Duration.ofNanos(System.nanoTime() - deletedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(http.call("POST", "/instance/create", KEY, CREATE).statusCode()).isEqualTo(201);
    }

    @Test
    void a1xServerListsInstancesInItsOwnShape() {
        simulator.setServerVersion(ServerVersion.V1);
        JsonObject created = SimulatorHttp.json(http.call("POST", "/instance/create", KEY, CREATE)).asJsonObject();
        String token = created.getJsonObject("hash").getString("apikey");
        String id = created.getJsonObject("instance").getString("instanceId");

        JsonObject closed = SimulatorHttp.json(http.call("GET", "/instance/fetchInstances", KEY, null))
                .asJsonArray().getJsonObject(0).getJsonObject("instance");
        http.call("GET", "/instance/connect/user-1", KEY, null);
        simulator.pair("user-1", WUID);
        JsonValue byName = SimulatorHttp.json(http.call("GET", "/instance/fetchInstances?instanceName=user-1", KEY, null));
        JsonValue byOwnToken = SimulatorHttp.json(http.call("GET", "/instance/fetchInstances?instanceName=other", token, null));

        assertThat(closed.keySet()).containsExactly("instanceName", "instanceId", "status", "serverUrl", "apikey", "integration");
        assertThat(closed.getString("instanceId")).isEqualTo(id);
        assertThat(closed.getString("status")).isEqualTo("close");
        assertThat(closed.getString("apikey")).isEqualTo(token);
        assertThat(closed.getString("serverUrl")).isEqualTo(simulator.baseUrl());
        assertThat(byName.getValueType()).isEqualTo(JsonValue.ValueType.OBJECT); // one instance by name: no array
        JsonObject open = byName.asJsonObject().getJsonObject("instance");
        assertThat(open.keySet()).containsExactly("instanceName", "instanceId", "owner", "profileName",
                "profilePictureUrl", "profileStatus", "status", "serverUrl", "apikey", "integration");
        assertThat(open.getString("owner")).isEqualTo(WUID);
        assertThat(open.getString("status")).isEqualTo("open");
        assertThat(byOwnToken.asJsonArray()).singleElement()
                .satisfies(item -> assertThat(item.asJsonObject().getJsonObject("instance").getString("instanceName"))
                        .isEqualTo("user-1"));
        simulator.setServerVersion(ServerVersion.V2_1);
        assertThat(SimulatorHttp.json(http.call("GET", "/instance/fetchInstances", KEY, null)).asJsonArray()
                .getJsonObject(0).getString("connectionStatus")).isEqualTo("open"); // 2.x: the Prisma row
    }

    @Test
    void connectAnswersPerStateAndThePhoneSideMovesTheSession() {
        simulator.setConnectWait(Duration.ofMillis(200));
        simulator.preCreateInstance("user-1");
        setWebhook("user-1", "\"QRCODE_UPDATED\",\"CONNECTION_UPDATE\"");

        long started = System.nanoTime();
        JsonObject first = connect("user-1?number=5511999999999");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        JsonObject again = connect("user-1");
        List<DeliveryAttempts> refreshed = simulator.refreshQr("user-1");
        JsonObject second = connect("user-1");
        List<DeliveryAttempts> paired = simulator.pair("user-1", WUID);
        JsonObject open = connect("user-1");

        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(200)); // Evolution waits for the first QR code
        assertThat(first.keySet()).containsExactly("pairingCode", "code", "base64", "count");
        assertThat(first.getInt("count")).isEqualTo(1);
        assertThat(first.getString("pairingCode")).matches(PAIRING_CODE);
        assertThat(first.getString("code")).startsWith("2@");
        assertThat(first.getString("base64")).startsWith("data:image/png;base64,");
        assertThat(again).isEqualTo(first); // connecting: the QR code being shown
        assertThat(second.getInt("count")).isEqualTo(2);
        assertThat(second.getString("code")).isNotEqualTo(first.getString("code"));
        assertThat(second.getString("pairingCode")).matches(PAIRING_CODE).isNotEqualTo(first.getString("pairingCode"));
        assertThat(open).isEqualTo(SimulatorHttp.json("{\"instance\":{\"instanceName\":\"user-1\",\"state\":\"open\"}}"));
        assertThat(refreshed).singleElement().satisfies(delivery -> assertThat(delivery.accepted()).isTrue());
        assertThat(paired).singleElement().satisfies(delivery -> assertThat(delivery.accepted()).isTrue());
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received("qrcode.updated").size() == 2);
        List<String> codes = receiver.received("qrcode.updated").stream()
                .map(request -> request.json().getJsonObject("data").getJsonObject("qrcode").getString("code")).toList();
        assertThat(codes).containsExactlyInAnyOrder(first.getString("code"), second.getString("code"));
        Received connected = receiver.received("connection.update").get(0);
        assertThat(connected.json().getJsonObject("data")).isEqualTo(SimulatorHttp.json("{\"instance\":\"user-1\","
                + "\"wuid\":\"" + WUID + "\",\"profilePictureUrl\":null,\"state\":\"open\",\"statusReason\":200}"));
        assertThat(connected.json().getString("sender")).isEqualTo(WUID);
    }

    @Test
    void aSessionStartedWithoutANumberHasNoPairingCode() {
        simulator.preCreateInstance("user-1");

        JsonObject qr = connect("user-1?number=");

        assertThat(qr.get("pairingCode")).isEqualTo(JsonValue.NULL);
        assertThat(simulator.stateOf("user-1")).contains("connecting");
    }

    @Test
    void pastTheQrCodeLimitEvolutionReportsRefusedAndEndsTheSession() {
        simulator.setQrCodeLimit(2);
        simulator.preCreateInstance("user-1");
        setWebhook("user-1", "\"QRCODE_UPDATED\",\"CONNECTION_UPDATE\"");
        connect("user-1");

        List<DeliveryAttempts> second = simulator.refreshQr("user-1");
        List<DeliveryAttempts> pastTheLimit = simulator.refreshQr("user-1");

        assertThat(second).hasSize(1);
        assertThat(pastTheLimit).hasSize(2);
        assertThat(pastTheLimit.stream().map(delivery -> SimulatorHttp.json(delivery.body()).asJsonObject()))
                .extracting(payload -> payload.getString("event"), payload -> payload.getJsonObject("data"))
                .containsExactlyInAnyOrder(
                        tuple("qrcode.updated", SimulatorHttp.json(
                                "{\"message\":\"QR code limit reached, please login again\",\"statusCode\":500}")),
                        tuple("connection.update", SimulatorHttp.json(
                                "{\"instance\":\"user-1\",\"state\":\"refused\",\"statusReason\":428}")));
        // Evolution's no.connection handler closes the session and sets the count back
        assertThat(simulator.stateOf("user-1")).contains("close");
        assertThatThrownBy(() -> simulator.refreshQr("user-1")).isInstanceOf(IllegalStateException.class);
        assertThat(connect("user-1").getInt("count")).isEqualTo(1);
    }

    @Test
    void theAdminPhoneSideEndpointsRefreshAndPair() {
        simulator.preCreateInstance("user-1");
        setWebhook("user-1", "\"QRCODE_UPDATED\",\"CONNECTION_UPDATE\"");

        HttpResponse<String> notConnecting = http.call("POST", "/__admin/qr-refresh", null, "{\"instanceName\":\"user-1\"}");
        connect("user-1");
        HttpResponse<String> refreshed = http.call("POST", "/__admin/qr-refresh", null, "{\"instanceName\":\"user-1\"}");
        HttpResponse<String> badWuid = http.call("POST", "/__admin/pair", null, "{\"instanceName\":\"user-1\",\"wuid\":\"+55 11\"}");
        HttpResponse<String> paired = http.call("POST", "/__admin/pair", null,
                "{\"instanceName\":\"user-1\",\"wuid\":\"" + WUID + "\"}");

        assertThat(notConnecting.statusCode()).isEqualTo(409);
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(SimulatorHttp.json(refreshed).asJsonObject().getJsonArray("deliveries").getJsonObject(0)
                .getBoolean("accepted")).isTrue();
        assertThat(badWuid.statusCode()).isEqualTo(400);
        assertThat(paired.statusCode()).isEqualTo(200);
        assertThat(simulator.stateOf("user-1")).contains("open");
    }

    @Test
    void logoutOfAClosedInstanceIsAnErrorBefore24AndASuccessFrom24() {
        simulator.preCreateInstance("user-1");

        HttpResponse<String> on23 = http.call("DELETE", "/instance/logout/user-1", KEY, null);
        simulator.setServerVersion(ServerVersion.V2_4);
        HttpResponse<String> on24 = http.call("DELETE", "/instance/logout/user-1", KEY, null);

        assertThat(on23.statusCode()).isEqualTo(400);
        assertThat(on24.statusCode()).isEqualTo(200);
        assertThat(SimulatorHttp.json(on24)).isEqualTo(SimulatorHttp.json("{\"status\":\"SUCCESS\",\"error\":false,"
                + "\"response\":{\"message\":\"Instance was already disconnected\"}}"));
    }

    @Test
    void aDroppedSessionAndAForgottenInstanceChangeWithoutAnyDelivery() {
        simulator.preCreateInstance("user-1");
        simulator.preCreateInstance("user-2");
        setWebhook("user-1", "\"CONNECTION_UPDATE\"");
        simulator.deliver("user-1", "connection.update", Json.createObjectBuilder().add("state", "open").add("wuid", WUID).build());

        HttpResponse<String> dropped = http.call("POST", "/__admin/drop-session", null, "{\"instanceName\":\"user-1\"}");
        HttpResponse<String> forgotten = http.call("POST", "/__admin/forget-instance", null, "{\"instanceName\":\"user-2\"}");
        HttpResponse<String> unknown = http.call("POST", "/__admin/drop-session", null, "{\"instanceName\":\"nobody\"}");

        assertThat(List.of(dropped.statusCode(), forgotten.statusCode(), unknown.statusCode())).containsExactly(200, 200, 404);
        assertThat(SimulatorHttp.json(http.call("GET", "/instance/connectionState/user-1", KEY, null)).asJsonObject()
                .getJsonObject("instance").getString("state")).isEqualTo("close");
        assertThat(http.call("GET", "/instance/connectionState/user-2", KEY, null).statusCode()).isEqualTo(404);
        assertThat(receiver.received("connection.update")).as("only the test's own delivery").hasSize(1);
    }

    @Test
    void resetPutsTheNewSettingsBack() {
        simulator.setServerVersion(ServerVersion.V2_4);
        simulator.setLicenceRequired(true);
        simulator.setQrCodeLimit(1);

        simulator.reset();
        simulator.setConnectWait(Duration.ZERO);
        simulator.preCreateInstance("user-1");
        connect("user-1");

        assertThat(http.call("GET", "/instance/fetchInstances", KEY, null).statusCode()).isEqualTo(200);
        assertThat(SimulatorHttp.json(http.call("GET", "/", null, null)).asJsonObject().getString("version")).isEqualTo("2.3.6");
        simulator.refreshQr("user-1"); // a limit of 1 would have ended the session here
        assertThat(simulator.stateOf("user-1")).contains("connecting");
    }

    private JsonObject connect(String nameAndQuery) {
        HttpResponse<String> response = http.call("GET", "/instance/connect/" + nameAndQuery, KEY, null);
        assertThat(response.statusCode()).isEqualTo(200);
        return SimulatorHttp.json(response).asJsonObject();
    }

    private void setWebhook(String instance, String events) {
        assertThat(http.call("POST", "/webhook/set/" + instance, KEY, "{\"webhook\":{\"enabled\":true,\"url\":\""
                + receiver.url("/hook") + "\",\"events\":[" + events + "]}}").statusCode()).isEqualTo(201);
    }
}
