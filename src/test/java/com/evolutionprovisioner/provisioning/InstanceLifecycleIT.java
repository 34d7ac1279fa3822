package com.evolutionprovisioner.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.provisioning.boundary.WebhookDriftJmx;
import com.evolutionprovisioner.provisioning.boundary.WebhookDriftMXBean;
import com.evolutionprovisioner.provisioning.entity.WebhookVerificationReport;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.RecordedCall;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.LocalJmx;
import com.evolutionprovisioner.testsupport.Users;
import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The owner's connection through the API against the simulator: pairing by QR code and pairing code, the QR code
 * budget, logout, reconnect, who may act for whom, the rate limit, and webhook drift repair.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstanceLifecycleIT extends DeployedServiceTest {

    private static final String WUID = "5511987654321@s.whatsapp.net";

    @Test
    void aClosedInstanceGetsAQrCodeThenTheSameWhileConnectingAndANewOneAfterARefresh() throws Exception {
        UUID user = provisionedClosed();
        String name = Users.instanceNameOf(user);

        JsonObject first = connect(user, "{}");
        assertThat(first.getString("state")).isEqualTo("connecting");
        assertThat(first.getString("qrCode")).startsWith("data:image/png;base64,");
        assertThat(first.getString("code")).isNotBlank();
        assertThat(first.getInt("count")).isEqualTo(1);
        assertThat(first.getInt("qrCodeLimit")).isEqualTo(30);
        assertThat(first.getBoolean("qrBudgetExhausted")).isFalse();
        assertThat(first.isNull("pairingCode")).isTrue();
        assertThat(simulator.stateOf(name)).contains("connecting");

        JsonObject again = connect(user, "{}");
        assertThat(again.getString("code")).isEqualTo(first.getString("code"));
        assertThat(again.getInt("count")).isEqualTo(1);

        simulator.refreshQr(name);
        JsonObject refreshed = connect(user, "{}");
        assertThat(refreshed.getString("code")).isNotEqualTo(first.getString("code"));
        assertThat(refreshed.getInt("count")).isEqualTo(2);
        assertThat(Database.row("SELECT qr_code_count, connection_state FROM evolution_instances WHERE user_id = ?", user)
                .orElseThrow()).containsEntry("qr_code_count", 2).containsEntry("connection_state", "connecting");
    }

    @Test
    void aNumberGetsAPairingCodeAndAPairedInstanceAnswersOpen() throws Exception {
        UUID user = provisionedClosed();
        String name = Users.instanceNameOf(user);

        JsonObject pairing = connect(user, "{\"number\":\"5511987654321\"}");
        assertThat(pairing.getString("state")).isEqualTo("connecting");
        assertThat(pairing.getString("pairingCode")).isNotBlank();
        assertThat(connectCalls(name)).extracting(RecordedCall::query).containsExactly("number=5511987654321");

        simulator.pair(name, WUID);
        JsonObject open = connect(user, "{}");
        assertThat(open.getString("state")).isEqualTo("open");
        assertThat(open.isNull("qrCode")).isTrue();
        assertThat(open.getBoolean("qrBudgetExhausted")).isFalse();
        assertThat(users.status(user).getString("connectionState")).isEqualTo("open");
    }

    @Test
    void aSessionThatUsedUpItsQrCodesIsAnsweredRefusedOnceThenANewSessionStarts() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String name = Users.instanceNameOf(user);
        assertThat(simulator.stateOf(name)).as("create asked for a QR code").contains("connecting");
        simulator.setQrCodeLimit(1);

        simulator.refreshQr(name); // past the limit: the session ends, Evolution delivers connection.update refused
        assertThat(simulator.stateOf(name)).contains("close");
        await().atMost(Duration.ofSeconds(20)).until(() -> "refused".equals(users.status(user).getString("connectionState", null)));
        int connectsBefore = connectCalls(name).size();

        JsonObject refused = connect(user, "{}");
        assertThat(refused.getString("state")).isEqualTo("refused");
        assertThat(refused.getBoolean("qrBudgetExhausted")).isTrue();
        assertThat(refused.isNull("qrCode")).isTrue();
        assertThat(connectCalls(name)).as("no new session was started behind the owner's back").hasSize(connectsBefore);

        JsonObject renewed = connect(user, "{}");
        assertThat(renewed.getString("state")).isEqualTo("connecting");
        assertThat(renewed.getInt("count")).isEqualTo(1);
        assertThat(renewed.getBoolean("qrBudgetExhausted")).as("our EVOLUTION_QRCODE_LIMIT is 30; the simulator's lower one is not ours to know").isFalse();
    }

    @Test
    void logoutClosesTheSessionAndIsIdempotent() throws Exception {
        UUID user = provisionedClosed();
        String name = Users.instanceNameOf(user);
        connect(user, "{}");
        simulator.pair(name, WUID);

        Api.Reply loggedOut = api.post("/api/instances/me/logout", env.tokens().user(user), "");
        assertThat(loggedOut.status()).as(loggedOut.body()).isEqualTo(200);
        assertThat(loggedOut.json().getString("state")).isEqualTo("close");
        assertThat(simulator.stateOf(name)).contains("close");
        assertThat(users.status(user).getString("connectionState")).isEqualTo("close");

        Api.Reply again = api.post("/api/instances/me/logout", env.tokens().user(user), "");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().getString("state")).isEqualTo("close");
        assertThat(simulator.calls()).filteredOn(call -> call.path().equals("/instance/logout/" + name))
                .extracting(RecordedCall::status).containsExactly(200, 400);
    }

    @Test
    void reconnectRestartsAnOpenInstanceAndConnectsAClosedOne() throws Exception {
        UUID user = provisionedClosed();
        String name = Users.instanceNameOf(user);

        JsonObject fromClose = reconnect(user);
        assertThat(fromClose.getString("state")).isEqualTo("connecting");
        assertThat(fromClose.getInt("count")).isEqualTo(1);
        assertThat(simulator.calls()).filteredOn(call -> call.path().equals("/instance/restart/" + name)).isEmpty();

        simulator.pair(name, WUID);
        JsonObject fromOpen = reconnect(user);
        assertThat(fromOpen.getString("state")).isEqualTo("open");
        assertThat(simulator.calls()).filteredOn(call -> call.path().equals("/instance/restart/" + name))
                .extracting(RecordedCall::method).containsExactly("POST");
    }

    @Test
    void badNumbersOtherUsersUnprovisionedInstancesAndTheServiceRole() throws Exception {
        UUID user = provisionedClosed();
        UUID other = users.signUpNew();
        String token = env.tokens().user(user);

        for (String number : List.of("\"+5511987654321\"", "\"55 11 98765-4321\"", "\"1234567\"", "\"1234567890123456\"", "\"\"")) {
            Api.Reply bad = api.post("/api/instances/me/connect", token, "{\"number\":" + number + "}");
            assertThat(bad.status()).as(number + ": " + bad.body()).isEqualTo(400);
            assertThat(bad.json().getString("error")).isEqualTo("bad_request");
        }
        Api.Reply badNumber = api.post("/api/instances/me/connect", token, "{\"number\":\"+5511987654321\"}");
        assertThat(badNumber.json().getString("message")).contains("digits only");

        assertThat(api.post("/api/instances/" + other + "/connect", token, "{}").status()).isEqualTo(404);
        assertThat(api.post("/api/instances/" + other + "/logout", token, "").status()).isEqualTo(404);
        assertThat(api.post("/api/instances/" + other + "/reconnect", token, "").status()).isEqualTo(404);

        Api.Reply forUser = api.post("/api/instances/" + user + "/connect", env.tokens().serviceRole(), "{}");
        assertThat(forUser.status()).as(forUser.body()).isEqualTo(200);
        assertThat(forUser.json().getString("state")).isEqualTo("connecting");

        // a user whose provisioning has not completed has nothing to pair
        UUID pending = UUID.randomUUID();
        simulator.setDown(true);
        users.signUp(pending);
        Api.Reply notYet = api.post("/api/instances/me/connect", env.tokens().user(pending), "{}");
        simulator.setDown(false);
        assertThat(notYet.status()).as(notYet.body()).isEqualTo(409);
        assertThat(notYet.json().getString("error")).isEqualTo("not_provisioned");
    }

    @Test
    void lifecycleActionsShareThePerUserAllowance() throws Exception {
        UUID user = provisionedClosed();
        String token = env.tokens().user(user);
        List<Integer> allowed = new ArrayList<>();
        allowed.add(api.post("/api/instances/me/connect", token, "{}").status());
        allowed.add(api.post("/api/instances/me/connect", token, "{}").status());
        allowed.add(api.post("/api/instances/me/reconnect", token, "").status());
        allowed.add(api.post("/api/instances/me/logout", token, "").status());
        allowed.add(api.send(api.request("/api/instances/me/connect", token)
                .POST(HttpRequest.BodyPublishers.noBody()).build()).status());

        Api.Reply refused = api.post("/api/instances/me/logout", token, "");

        assertThat(allowed).containsExactly(200, 200, 200, 200, 200);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().getString("error")).isEqualTo("too_many_requests");
        assertThat(Integer.parseInt(refused.raw().headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);
        assertThat(api.post("/api/instances/" + user + "/logout", env.tokens().serviceRole(), "").status())
                .as("the service role is not limited").isEqualTo(200);
    }

    @Test
    void verifyAllRepairsAForgottenWebhookAndLeavesAnIntactOne() throws Exception {
        UUID drifted = users.signUpNew();
        UUID intact = users.signUpNew();
        users.awaitStatus(drifted, "completed");
        users.awaitStatus(intact, "completed");
        String driftedName = Users.instanceNameOf(drifted);
        JsonObject configured = simulator.webhookOf(driftedName).orElseThrow();
        simulator.clearWebhook(driftedName);
        assertThat(simulator.webhookOf(driftedName)).isEmpty();
        double repairedBefore = repairedTotal();

        Api.Reply report = api.post("/api/admin/webhooks/verify-all", env.tokens().serviceRole(), "");

        assertThat(report.status()).as(report.body()).isEqualTo(200);
        // instances of earlier tests are unknown to the reset simulator: those count as failed
        assertThat(report.json().getInt("repaired")).isEqualTo(1);
        assertThat(report.json().getInt("verified")).isEqualTo(1);
        JsonObject restored = simulator.webhookOf(driftedName).orElseThrow();
        assertThat(restored.getString("url")).isEqualTo(configured.getString("url"));
        assertThat(restored.get("headers")).isEqualTo(configured.get("headers"));
        assertThat(repairedTotal()).isEqualTo(repairedBefore + 1);
        assertThat(simulator.calls()).filteredOn(call -> call.path().equals("/webhook/set/" + Users.instanceNameOf(intact)))
                .as("the intact webhook was read, not written").isEmpty();

        simulator.clearWebhook(driftedName);
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(LocalJmx.managementAddressOfPayaraMicro(env.httpPort())))) {
            WebhookDriftMXBean drift = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    new ObjectName(WebhookDriftJmx.OBJECT_NAME), WebhookDriftMXBean.class);
            WebhookVerificationReport viaJmx = drift.verifyAllNow();
            assertThat(viaJmx.getRepaired()).isEqualTo(1);
            assertThat(viaJmx.getVerified()).isEqualTo(1);
        }
        assertThat(simulator.webhookOf(driftedName)).isPresent();
        assertThat(Database.count("SELECT count(*) FROM evolution_instances WHERE user_id IN (?, ?) "
                + "AND webhook_verified_at > now() - interval '1 minute'", drifted, intact)).isEqualTo(2);
    }

    /**
     * Last: the drift timer's first tick comes one minute after the node started, whenever this test runs, so the
     * other tests run meanwhile instead of after the wait.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void theDriftTimerRepairsAWebhookDueForItsCheckByItself() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String name = Users.instanceNameOf(user);
        simulator.clearWebhook(name);
        // Last verified longer ago than WEBHOOK_VERIFY_INTERVAL (6 h): the oldest row, due at the next tick (1 min).
        Database.update("UPDATE evolution_instances SET webhook_verified_at = now() - interval '7 hours' WHERE user_id = ?", user);

        await().atMost(Duration.ofSeconds(90)).until(() -> simulator.webhookOf(name).isPresent());
        assertThat(Database.count("SELECT count(*) FROM evolution_instances WHERE user_id = ? "
                + "AND webhook_verified_at > now() - interval '2 minutes'", user)).isEqualTo(1);
    }

    /** A completed user whose instance is closed with no QR code shown yet: one that existed before, adopted. */
    private UUID provisionedClosed() {
        UUID user = UUID.randomUUID();
        simulator.preCreateInstance(Users.instanceNameOf(user));
        assertThat(users.signUp(user).status()).isEqualTo(201);
        users.awaitStatus(user, "completed");
        assertThat(simulator.stateOf(Users.instanceNameOf(user))).contains("close");
        return user;
    }

    private JsonObject connect(UUID user, String body) {
        Api.Reply reply = api.post("/api/instances/me/connect", env.tokens().user(user), body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private JsonObject reconnect(UUID user) {
        Api.Reply reply = api.post("/api/instances/me/reconnect", env.tokens().user(user), "");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private List<RecordedCall> connectCalls(String name) {
        return simulator.calls().stream().filter(call -> call.path().equals("/instance/connect/" + name)).toList();
    }

    private double repairedTotal() {
        Matcher matcher = Pattern.compile("(?m)^\\w*webhook_drift_repaired_total(?:\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(api.get("/metrics", null).body());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

}
