package com.evolutionprovisioner.provisioning;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.devstack.LocalMachine;
import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import com.evolutionprovisioner.provisioning.boundary.InstanceStateJmx;
import com.evolutionprovisioner.provisioning.boundary.InstanceStateMXBean;
import com.evolutionprovisioner.provisioning.entity.StateCheckReport;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.RecordedCall;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.LocalJmx;
import com.evolutionprovisioner.testsupport.SeparateBackends;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import com.evolutionprovisioner.testsupport.Users;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * State reconciliation and quiet instances on a node of its own (a database and broker of its own, so that every
 * instance it checks is this class's): a state Evolution changed without a delivery is corrected by the timer, an
 * instance Evolution lost is re-provisioned, "check all now" counts exactly, and a quiet instance is flagged,
 * reconnected by the admin action and cleared by traffic. INSTANCE_STATE_CHECK_INTERVAL is 15 s and
 * INSTANCE_QUIET_AFTER 4 s here.
 */
class InstanceStateIT {

    private static final String WUID = "5511987654321@s.whatsapp.net";
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(15);

    private static TestEnvironment.Running env;
    private static SeparateBackends backends;
    private static PayaraMicroProcess node;
    private static EvolutionApiSimulator simulator;
    private static Api api;
    private static Users users;

    @BeforeAll
    static void startNode() throws Exception {
        env = TestEnvironment.get();
        simulator = env.simulator();
        simulator.reset();
        backends = SeparateBackends.create(env, "instance_state");
        int port = LocalMachine.freePort();
        Map<String, String> settings = backends.settingsFor(env, "state-node", "http://127.0.0.1:" + port);
        settings.put("instance.state.check.interval", CHECK_INTERVAL.toSeconds() + "s");
        settings.put("instance.quiet.after", "4s");
        node = PayaraMicroProcess.start(env.buildDirectory(), "state-node", port, settings);
        node.awaitReady(Duration.ofMinutes(3));
        api = new Api(node.baseUrl());
        users = new Users(api, env);
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
        if (backends != null) {
            backends.close();
        }
    }

    @Test
    void aSessionDroppedWithoutADeliveryIsCorrectedByTheTimer() throws Exception {
        UUID user = pairedUser();
        String name = instanceNameOf(user);

        simulator.dropSession(name);

        await().atMost(CHECK_INTERVAL.multipliedBy(3)).until(() -> "close".equals(connectionState(user)));
        assertThat(users.status(user).getString("connectionState")).isEqualTo("close");
        assertThat(history(name)).containsExactly("open/webhook", "close/state_check");
        assertThat(backends.count("SELECT count(*) FROM evolution_instances WHERE user_id = ? "
                + "AND state_checked_at > now() - interval '1 minute'", user)).isEqualTo(1);
    }

    @Test
    void anInstanceEvolutionLostIsQueuedAgainAndProvisionedAnew() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String name = instanceNameOf(user);
        Object firstId = instanceColumn(user, "evolution_instance_id");

        simulator.forgetInstance(name);

        await().atMost(CHECK_INTERVAL.multipliedBy(3)).until(() -> simulator.stateOf(name).isPresent());
        users.awaitStatus(user, "completed");
        assertThat(simulator.createCallsFor(name)).isEqualTo(2);
        assertThat(backends.queueColumn(user, "claimed_via")).isEqualTo("state-check");
        assertThat(backends.queueColumn(user, "attempts")).isEqualTo(1);
        assertThat(instanceColumn(user, "evolution_instance_id")).isNotNull().isNotEqualTo(firstId);
        assertThat(history(name)).containsExactly("close/state_check");
    }

    @Test
    void checkAllNowCountsExactlyOverRestAndJmx() throws Exception {
        UUID intact = pairedUser();
        UUID dropped = pairedUser();
        UUID lost = users.signUpNew();
        users.awaitStatus(lost, "completed");
        // Every instance is checked now: none is due for the timer in the next 15 s, so the counts below are the
        // operator's own.
        StateCheckReport baseline = checkAllThroughJmx();
        assertThat(baseline.getFailed()).isZero();
        long completed = backends.count("SELECT count(*) FROM evolution_instance_creation_queue WHERE status = 'completed'");

        simulator.dropSession(instanceNameOf(dropped));
        simulator.forgetInstance(instanceNameOf(lost));
        Api.Reply report = api.post("/api/admin/instances/check-states", env.tokens().serviceRole(), "");

        assertThat(report.status()).as(report.body()).isEqualTo(200);
        assertThat(report.json()).isEqualTo(Json.createObjectBuilder().add("checked", completed).add("corrected", 1)
                .add("failed", 0).add("missing", 1).build());
        assertThat(connectionState(intact)).isEqualTo("open");
        assertThat(connectionState(dropped)).isEqualTo("close");
        assertThat(history(instanceNameOf(intact))).containsExactly("open/webhook");
        assertThat(history(instanceNameOf(dropped))).containsExactly("open/webhook", "close/state_check");
        users.awaitStatus(lost, "completed");
        assertThat(simulator.createCallsFor(instanceNameOf(lost))).isEqualTo(2);
        assertThat(api.post("/api/admin/instances/check-states", env.tokens().user(intact), "").status()).isEqualTo(403);
    }

    @Test
    void aQuietInstanceIsFlaggedReconnectedAndClearedByTraffic() throws Exception {
        UUID talkative = pairedUser();
        UUID silent = pairedUser();
        String name = instanceNameOf(talkative);
        message(name, "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> instanceColumn(talkative, "last_traffic_at") != null);
        assertThat(instanceColumn(silent, "last_traffic_at")).as("no traffic yet").isNull();

        await().atMost(CHECK_INTERVAL.multipliedBy(2)).until(() -> instanceColumn(talkative, "quiet_since") != null);

        Api.Reply listed = api.get("/api/admin/instances/quiet", env.tokens().serviceRole());
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(listed.jsonValue().asJsonArray()).hasSize(1);
        JsonObject flagged = listed.jsonValue().asJsonArray().getJsonObject(0);
        assertThat(flagged.getString("userId")).isEqualTo(talkative.toString());
        assertThat(flagged.getString("instanceName")).isEqualTo(name);
        assertThat(flagged.getString("connectionState")).isEqualTo("open");
        assertThat(instanceColumn(silent, "quiet_since")).as("never had traffic: not quiet, just unused").isNull();
        assertThat(quietGauge()).isEqualTo(1);
        JsonObject check = quietHealthCheck();
        assertThat(check.getString("status")).isEqualTo("UP");
        assertThat(check.getJsonObject("data").getInt("quiet")).isEqualTo(1);
        assertThat(check.getJsonObject("data").getString("warning")).startsWith("1 open instance(s) without message traffic");
        assertThat(api.get("/health/ready", null).status()).as("a warning, not DOWN").isEqualTo(200);

        Api.Reply reconnected = api.post("/api/admin/instances/quiet/reconnect", env.tokens().serviceRole(), "");

        assertThat(reconnected.status()).as(reconnected.body()).isEqualTo(200);
        assertThat(reconnected.json()).isEqualTo(Json.createObjectBuilder().add("failed", 0).add("reconnected", 1).build());
        assertThat(restartCalls(name)).extracting(RecordedCall::method).containsExactly("POST");
        assertThat(restartCalls(instanceNameOf(silent))).isEmpty();

        message(name, "second");
        await().atMost(Duration.ofSeconds(10)).until(() -> instanceColumn(talkative, "quiet_since") == null);
        assertThat(quietGauge()).isZero();
    }

    /** A completed user whose phone is paired: the instance is open, as Evolution's delivery said. */
    private static UUID pairedUser() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String name = instanceNameOf(user);
        assertThat(simulator.stateOf(name)).as("create asked for a QR code").contains("connecting");
        simulator.pair(name, WUID);
        await().atMost(Duration.ofSeconds(10)).until(() -> "open".equals(connectionState(user)));
        return user;
    }

    private static void message(String instance, String id) {
        EvolutionApiSimulator.DeliveryResult delivered = simulator.deliver(instance, "messages.upsert", Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", instance + "-" + id).add("remoteJid", WUID).add("fromMe", false))
                .add("messageType", "conversation")
                .add("status", "DELIVERY_ACK")
                .build());
        assertThat(delivered.status()).isEqualTo(200);
    }

    private static String connectionState(UUID user) throws Exception {
        return (String) instanceColumn(user, "connection_state");
    }

    private static Object instanceColumn(UUID user, String column) throws Exception {
        return backends.row("SELECT " + column + " FROM evolution_instances WHERE user_id = ?", user).orElseThrow().get(column);
    }

    /**
     * The instance's connection history as state/source, oldest first, without {@code connecting}: a created
     * instance shows a QR code without any delivery saying so, and the timer may have recorded that state already.
     */
    private static List<String> history(String instance) throws Exception {
        Object entries = backends.row("SELECT string_agg(state || '/' || source, ',' ORDER BY id) AS entries "
                + "FROM instance_connection_history WHERE instance_name = ? AND state <> 'connecting'", instance)
                .orElseThrow().get("entries");
        return entries == null ? List.of() : List.of(((String) entries).split(","));
    }

    private static List<RecordedCall> restartCalls(String instance) {
        return simulator.calls().stream().filter(call -> call.path().equals("/instance/restart/" + instance)).toList();
    }

    private static StateCheckReport checkAllThroughJmx() throws Exception {
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(LocalJmx.managementAddress(node.pid())))) {
            return JMX.newMXBeanProxy(connector.getMBeanServerConnection(), new ObjectName(InstanceStateJmx.OBJECT_NAME),
                    InstanceStateMXBean.class).checkAllNow();
        }
    }

    private static double quietGauge() {
        Matcher matcher = Pattern.compile("(?m)^\\w*instances_quiet(?:\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(api.get("/metrics", null).body());
        assertThat(matcher.find()).as("gauge instances_quiet exported").isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private static JsonObject quietHealthCheck() {
        Api.Reply health = api.get("/api/admin/health", env.tokens().serviceRole());
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        return health.json().getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                .filter(check -> check.getString("name").equals("quiet-instances")).findFirst().orElseThrow();
    }
}
