package com.evolutionprovisioner.provisioning;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.devstack.LocalMachine;
import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.RecordedCall;
import com.evolutionprovisioner.provisioning.boundary.RelocationsJmx;
import com.evolutionprovisioner.provisioning.boundary.RelocationsMXBean;
import com.evolutionprovisioner.provisioning.entity.RelocationReport;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.LocalJmx;
import com.evolutionprovisioner.testsupport.EvolutionSignatures;
import com.evolutionprovisioner.testsupport.SeparateBackends;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import com.evolutionprovisioner.testsupport.Users;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A pool of two Evolution servers (two simulators, each with its own key and SERVER_URL) behind two Payara Micro
 * nodes on a database and broker of their own: placement by capacity, in the claim, across nodes; a full pool; one
 * server down; the licence gate; draining and the relocation of never-paired instances; every call routed to the
 * instance's own server. The nodes and simulators are shared by the methods, which run in order: each sets the
 * capacities it needs relative to what is placed already, and asserts only the users it signed up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EvolutionPoolIT {

    private static final String SERVER_A = "evo-a";
    private static final String SERVER_B = "evo-b";
    private static final String KEY_A = "pool-key-a";
    private static final String KEY_B = "pool-key-b";
    private static final String WUID = "5511912345678@s.whatsapp.net";
    /** QUEUE_POLL_INTERVAL of these nodes: long, so that what happens sooner was not the poller's doing. */
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(20);

    private static TestEnvironment.Running env;
    private static EvolutionApiSimulator simulatorA;
    private static EvolutionApiSimulator simulatorB;
    private static SeparateBackends backends;
    private static PayaraMicroProcess nodeA;
    private static PayaraMicroProcess nodeB;
    private static Api apiA;
    private static Api apiB;
    private static Users usersA;

    @BeforeAll
    static void startPool() throws Exception {
        env = TestEnvironment.get();
        simulatorA = EvolutionApiSimulator.start(0, KEY_A);
        simulatorB = EvolutionApiSimulator.start(0, KEY_B);
        backends = SeparateBackends.create(env, "pool");
        int portA = LocalMachine.freePort();
        int portB = LocalMachine.freePort();
        String publicUrl = "http://127.0.0.1:" + portA;
        nodeA = PayaraMicroProcess.start(env.buildDirectory(), "pool-node-a", portA, settings("pool-node-a", publicUrl));
        nodeB = PayaraMicroProcess.start(env.buildDirectory(), "pool-node-b", portB, settings("pool-node-b", publicUrl));
        nodeA.awaitReady(Duration.ofMinutes(3));
        nodeB.awaitReady(Duration.ofMinutes(3));
        apiA = new Api(nodeA.baseUrl());
        apiB = new Api(nodeB.baseUrl());
        usersA = new Users(apiA, env);

        Api.Reply added = apiA.post("/api/admin/evolution-servers", env.tokens().serviceRole(), Json.createObjectBuilder()
                .add("name", SERVER_B).add("baseUrl", simulatorB.baseUrl()).add("apiKey", KEY_B).add("capacity", 0)
                .add("state", "active").build().toString());
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.body()).doesNotContain(KEY_B);
        assertThat(serverListed(SERVER_A).getString("baseUrl")).isEqualTo(simulatorA.baseUrl());
    }

    /** The seed server is simulator A, from EVOLUTION_API_BASE_URL; simulator B is added through the admin API. */
    private static Map<String, String> settings(String nodeId, String publicUrl) {
        Map<String, String> settings = backends.settingsFor(env, nodeId, publicUrl);
        settings.put("evolution.api.base.url", simulatorA.baseUrl());
        settings.put("evolution.api.key", KEY_A);
        settings.put("evolution.api.server.name", SERVER_A);
        settings.put("queue.poll.interval", POLL_INTERVAL.toSeconds() + "s");
        settings.put("queue.node.lease", "60s");
        return settings;
    }

    @AfterAll
    static void stopPool() throws Exception {
        for (AutoCloseable part : new AutoCloseable[] {nodeA, nodeB, backends, simulatorA, simulatorB}) {
            if (part != null) {
                part.close();
            }
        }
    }

    @Test
    @Order(1)
    void aNewInstanceGoesToTheServerWithTheMostFreeCapacityAndEveryCallToItsOwnServer() throws Exception {
        setFree(3, 1);

        UUID first = usersA.signUpNew();
        usersA.awaitStatus(first, "completed", Duration.ofSeconds(30));
        assertThat(serverOf(first)).contains(SERVER_A);

        List<UUID> more = signUpConcurrently(3);
        awaitCompleted(more, Duration.ofSeconds(60));
        List<UUID> all = new ArrayList<>(more);
        all.add(first);
        assertThat(all.stream().filter(user -> serverOf(user).equals(Optional.of(SERVER_A))).count()).isEqualTo(3);
        assertThat(all.stream().filter(user -> serverOf(user).equals(Optional.of(SERVER_B))).count()).isEqualTo(1);
        assertThat(free(SERVER_A)).isZero();
        assertThat(free(SERVER_B)).isZero();
        for (UUID user : all) {
            assertCalledOnlyAtItsServer(user);
            EvolutionApiSimulator own = simulatorOf(user);
            assertThat(own.createCallsFor(instanceNameOf(user))).isEqualTo(1);
            assertThat(callsNaming(own, user)).as("the webhook read-back at its own server")
                    .anyMatch(call -> call.method().equals("GET") && call.path().startsWith("/webhook/find/"));
        }
    }

    @Test
    @Order(2)
    void aHundredConcurrentSignupsOnTwoNodesFillFiftyAndFifty() throws Exception {
        long placedA = placedOn(SERVER_A);
        long placedB = placedOn(SERVER_B);
        setFree(50, 50);

        List<UUID> users = signUpConcurrently(100);
        awaitCompleted(users, Duration.ofSeconds(120));

        assertThat(placedOn(SERVER_A) - placedA).isEqualTo(50);
        assertThat(placedOn(SERVER_B) - placedB).isEqualTo(50);
        assertThat(backends.count("SELECT count(DISTINCT claimed_by) FROM evolution_instance_creation_queue "
                + "WHERE claimed_by IN ('pool-node-a', 'pool-node-b')")).as("both nodes placed").isEqualTo(2);
        for (UUID user : users) {
            assertThat(simulatorOf(user).createCallsFor(instanceNameOf(user))).isEqualTo(1);
            assertThat(otherSimulator(user).createCallsFor(instanceNameOf(user))).isZero();
        }
    }

    @Test
    @Order(3)
    void aFullPoolKeepsNewUsersPendingWithNoCapacityUntilACapacityIsRaised() throws Exception {
        setFree(0, 0);

        List<UUID> waiting = List.of(usersA.signUpNew(), usersA.signUpNew());
        for (UUID user : waiting) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(usersA.status(user).getString("errorCode", null)).isEqualTo("no_capacity"));
            JsonObject status = usersA.status(user);
            assertThat(status.getString("status")).isEqualTo("pending");
            assertThat(status.getInt("attempts")).as("no attempt spent").isZero();
            assertThat(serverOf(user)).isEmpty();
        }
        assertThat(gauge(apiB, "provisioning_waiting_for_capacity")).isEqualTo(2.0);
        JsonObject check = healthCheck(apiB, "evolution-pool-capacity");
        assertThat(check.getString("status")).isEqualTo("UP");
        assertThat(check.getJsonObject("data").getInt("waitingForCapacity")).isEqualTo(2);
        assertThat(check.getJsonObject("data").getString("warning")).startsWith("2 user(s) waiting for an Evolution server");
        assertThat(apiA.get("/health/ready", null).status()).as("still ready").isEqualTo(200);

        long raisedAt = System.nanoTime();
        patch(SERVER_A, "{\"capacity\":" + (placedOn(SERVER_A) + 2) + "}");
        awaitCompleted(waiting, Duration.ofSeconds(10));
        System.out.printf("CAPACITY raised -> both waiting users completed: %.1f s (poll interval %s)%n",
                (System.nanoTime() - raisedAt) / 1e9, POLL_INTERVAL);
        for (UUID user : waiting) {
            assertThat(serverOf(user)).contains(SERVER_A);
            assertThat(simulatorA.createCallsFor(instanceNameOf(user))).isEqualTo(1);
        }
        assertThat(gauge(apiB, "provisioning_waiting_for_capacity")).isZero();
    }

    @Test
    @Order(4)
    void whileOneServerIsDownNewUsersGoToTheOtherWithoutDelay() throws Exception {
        setFree(20, 30);
        simulatorB.setDown(true);
        try {
            // The first signups find server B's failures (it has the most room): both nodes see them.
            List<UUID> firstWave = signUpConcurrently(6);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(healthy(apiA, SERVER_B)).isFalse();
                assertThat(healthy(apiB, SERVER_B)).isFalse();
            });
            for (UUID user : firstWave) {
                if (serverOf(user).equals(Optional.of(SERVER_A))) {
                    usersA.awaitStatus(user, "completed", Duration.ofSeconds(10));
                } else {
                    assertThat(usersA.status(user).getString("status")).isIn("pending", "processing");
                }
            }

            long placedB = placedOn(SERVER_B);
            long started = System.nanoTime();
            List<UUID> secondWave = signUpConcurrently(6);
            awaitCompleted(secondWave, Duration.ofSeconds(10));
            System.out.printf("DOWN server B: 6 new users completed on server A in %.1f s%n", (System.nanoTime() - started) / 1e9);
            assertThat(placedOn(SERVER_B)).as("no new user placed on the server that is down").isEqualTo(placedB);
            for (UUID user : secondWave) {
                assertThat(serverOf(user)).contains(SERVER_A);
            }
            simulatorB.setDown(false);
            awaitCompleted(firstWave, Duration.ofSeconds(60));
        } finally {
            simulatorB.setDown(false);
        }
    }

    @Test
    @Order(5)
    void theLicenceGateTakesAServerOutOfRotation() throws Exception {
        setFree(5, 10);
        simulatorB.setLicenceRequired(true);
        try {
            UUID gated = usersA.signUpNew();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(usersA.status(gated).getString("errorCode", null)).isEqualTo("licence_required"));
            assertThat(serverOf(gated)).contains(SERVER_B);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(serverListed(SERVER_B).getString("state")).isEqualTo("disabled"));
            assertThat(serverListed(SERVER_B).getJsonObject("health").getString("stateReason")).isEqualTo("licence_required");

            List<UUID> next = signUpConcurrently(3);
            awaitCompleted(next, Duration.ofSeconds(20));
            for (UUID user : next) {
                assertThat(serverOf(user)).contains(SERVER_A);
            }

            simulatorB.setLicenceRequired(false);
            patch(SERVER_B, "{\"state\":\"active\"}");
            // Its attempts may be used up by now: an operator re-queues it once the licence is active.
            apiA.post("/api/admin/queue/" + gated + "/requeue", env.tokens().serviceRole(), "");
            usersA.awaitStatus(gated, "completed", Duration.ofSeconds(30));
            assertThat(serverOf(gated)).contains(SERVER_B);
        } finally {
            simulatorB.setLicenceRequired(false);
        }
    }

    @Test
    @Order(6)
    void aDrainingServerGetsNoNewInstancesAndItsNeverPairedOnesMoveWhileAPairedOneStays() throws Exception {
        patch(SERVER_B, "{\"state\":\"draining\"}");
        setFree(SERVER_A, 2);
        List<UUID> newcomers = signUpConcurrently(2);
        awaitCompleted(newcomers, Duration.ofSeconds(30));
        for (UUID user : newcomers) {
            assertThat(serverOf(user)).contains(SERVER_A);
        }

        List<String> onB = names(SERVER_B);
        UUID paired = userOf(onB.get(0));
        connect(paired);
        simulatorB.pair(instanceNameOf(paired), WUID);
        await().atMost(Duration.ofSeconds(20)).until(() -> "open".equals(backends.row(
                "SELECT connection_state FROM evolution_instances WHERE user_id = ?", paired).orElseThrow().get("connection_state")));
        UUID connectingOnly = userOf(onB.get(1));
        connect(connectingOnly);
        setFree(SERVER_A, onB.size());
        int deletesBefore = deleteCalls(simulatorB).size();
        // An instance still waiting for its first create (placed while B was down) has nothing to delete at B.
        List<String> existingOnB = onB.stream().skip(1).filter(name -> simulatorB.stateOf(name).isPresent()).toList();
        Map<String, Long> createsAtABefore = new HashMap<>();
        onB.forEach(name -> createsAtABefore.put(name, simulatorA.createCallsFor(name)));

        Api.Reply relocation = apiB.post("/api/admin/evolution-servers/" + SERVER_B + "/relocations",
                env.tokens().serviceRole(), "");
        assertThat(relocation.status()).as(relocation.body()).isEqualTo(202);
        assertThat(relocation.json().getInt("moving")).isEqualTo(onB.size() - 1);
        assertThat(relocation.json().getInt("staying")).isEqualTo(1);

        List<UUID> moved = onB.stream().skip(1).map(EvolutionPoolIT::userOf).toList();
        await().atMost(Duration.ofSeconds(90)).until(() -> placedOn(SERVER_B) == 1);
        awaitCompleted(moved, Duration.ofSeconds(60));
        assertThat(names(SERVER_B)).containsExactly(instanceNameOf(paired));
        assertThat(simulatorB.instanceCount()).as("only the paired instance is left on B").isEqualTo(1);
        assertThat(deleteCalls(simulatorB).subList(deletesBefore, deleteCalls(simulatorB).size()))
                .extracting(RecordedCall::path)
                .containsExactlyInAnyOrderElementsOf(existingOnB.stream().map(name -> "/instance/delete/" + name).toList());
        for (UUID user : moved) {
            assertThat(serverOf(user)).contains(SERVER_A);
            assertThat(simulatorA.createCallsFor(instanceNameOf(user)) - createsAtABefore.get(instanceNameOf(user)))
                    .as("created once at A by the move").isEqualTo(1);
            assertThat(simulatorA.webhookOf(instanceNameOf(user))).isPresent();
            assertThat(backends.queueColumn(user, "operation")).isEqualTo("provision");
        }
        assertThat(usersA.status(paired).getString("status")).isEqualTo("completed");
        assertThat(usersA.status(paired).getString("connectionState")).isEqualTo("open");

        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(LocalJmx.managementAddress(nodeA.pid())))) {
            RelocationReport again = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    new ObjectName(RelocationsJmx.OBJECT_NAME), RelocationsMXBean.class).relocateFrom(SERVER_B);
            assertThat(again.getMoving()).as("nothing left to move").isZero();
            assertThat(again.getStaying()).isEqualTo(1);
        }
        Api.Reply unknown = apiB.post("/api/admin/evolution-servers/no-such-server/relocations", env.tokens().serviceRole(), "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(apiB.post("/api/admin/evolution-servers/" + SERVER_B + "/relocations", env.tokens().user(paired), "")
                .status()).isEqualTo(403);
    }

    @Test
    @Order(7)
    void connectLogoutDeleteAndDeliveriesAreEachInstancesOwnServers() throws Exception {
        patch(SERVER_B, "{\"state\":\"active\"}");
        setFree(1, 1);
        UUID onA = usersA.signUpNew();
        UUID onB = usersA.signUpNew();
        awaitCompleted(List.of(onA, onB), Duration.ofSeconds(30));
        assertThat(List.of(serverOf(onA), serverOf(onB))).containsExactlyInAnyOrder(Optional.of(SERVER_A), Optional.of(SERVER_B));

        for (UUID user : List.of(onA, onB)) {
            connect(user);
            Api.Reply logout = apiA.post("/api/instances/" + user + "/logout", env.tokens().serviceRole(), "");
            assertThat(logout.status()).as(logout.body()).isEqualTo(200);
            assertThat(callsNaming(simulatorOf(user), user)).extracting(call -> call.method() + " " + call.path())
                    .contains("GET /instance/connect/" + instanceNameOf(user), "DELETE /instance/logout/" + instanceNameOf(user));
        }

        // A delivery naming another server than the instance's: accepted (SERVER_URL may be a public address), counted.
        UUID user = serverOf(onA).equals(Optional.of(SERVER_A)) ? onA : onB;
        double mismatchesBefore = gauge(apiA, "webhook_server_url_mismatch_total");
        assertThat(deliverClaimingServer(user, "http://elsewhere.invalid:1234").status()).isEqualTo(200);
        assertThat(deliverClaimingServer(user, simulatorA.baseUrl() + "/").status()).isEqualTo(200);
        assertThat(gauge(apiA, "webhook_server_url_mismatch_total") - mismatchesBefore).isEqualTo(1.0);

        Map<UUID, EvolutionApiSimulator> servers = Map.of(onA, simulatorOf(onA), onB, simulatorOf(onB));
        for (UUID deleted : List.of(onA, onB)) {
            Api.Reply deletion = apiA.send(apiA.request("/api/admin/users/" + deleted, env.tokens().serviceRole()).DELETE().build());
            assertThat(deletion.status()).as(deletion.body()).isIn(202, 204);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> backends.count(
                "SELECT count(*) FROM profiles WHERE id IN (?, ?)", onA, onB) == 0);
        for (UUID deleted : List.of(onA, onB)) {
            assertThat(backends.count("SELECT count(*) FROM evolution_placements WHERE instance_name = ?",
                    instanceNameOf(deleted))).as("placement released").isZero();
            assertThat(callsNaming(servers.get(deleted), deleted)).extracting(call -> call.method() + " " + call.path())
                    .contains("DELETE /instance/delete/" + instanceNameOf(deleted));
            EvolutionApiSimulator other = servers.get(deleted) == simulatorA ? simulatorB : simulatorA;
            assertThat(callsNaming(other, deleted)).as("calls for " + deleted + " at the other server").isEmpty();
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** Sets each server's capacity to what is placed on it plus {@code free}. */
    private static void setFree(long freeA, long freeB) throws Exception {
        setFree(SERVER_A, freeA);
        setFree(SERVER_B, freeB);
    }

    private static void setFree(String server, long free) throws Exception {
        patch(server, "{\"capacity\":" + (placedOn(server) + free) + "}");
    }

    private static void patch(String server, String json) {
        Api.Reply reply = apiA.send(apiA.request("/api/admin/evolution-servers/" + server, env.tokens().serviceRole())
                .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
        assertThat(reply.status()).as("PATCH " + server + " " + json + ": " + reply.body()).isEqualTo(200);
    }

    private static long free(String server) throws Exception {
        return serverListed(server).getInt("capacity") - placedOn(server);
    }

    private static JsonObject serverListed(String server) {
        return serverListed(apiA, server);
    }

    private static JsonObject serverListed(Api api, String server) {
        Api.Reply list = api.get("/api/admin/evolution-servers", env.tokens().serviceRole());
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        return list.jsonValue().asJsonArray().getValuesAs(JsonObject.class).stream()
                .filter(entry -> entry.getString("name").equals(server)).findFirst()
                .orElseThrow(() -> new AssertionError("server " + server + " not listed: " + list.body()));
    }

    private static boolean healthy(Api api, String server) {
        return serverListed(api, server).getJsonObject("health").getBoolean("healthy");
    }

    private static long placedOn(String server) throws Exception {
        return backends.count("SELECT count(*) FROM evolution_placements WHERE server_name = ?", server);
    }

    private static List<String> names(String server) throws Exception {
        List<String> names = new ArrayList<>();
        for (long offset = 0; ; offset++) {
            Optional<Map<String, Object>> row = backends.row("SELECT instance_name FROM evolution_placements "
                    + "WHERE server_name = ? ORDER BY instance_name OFFSET ? LIMIT 1", server, offset);
            if (row.isEmpty()) {
                return names;
            }
            names.add((String) row.get().get("instance_name"));
        }
    }

    private static Optional<String> serverOf(UUID user) {
        try {
            return backends.row("SELECT server_name FROM evolution_placements WHERE instance_name = ?", instanceNameOf(user))
                    .map(row -> (String) row.get("server_name"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static UUID userOf(String instanceName) {
        return UUID.fromString(instanceName.substring("evp-".length()));
    }

    private static EvolutionApiSimulator simulatorOf(UUID user) {
        return serverOf(user).orElseThrow().equals(SERVER_A) ? simulatorA : simulatorB;
    }

    private static EvolutionApiSimulator otherSimulator(UUID user) {
        return simulatorOf(user) == simulatorA ? simulatorB : simulatorA;
    }

    /** Every call that names the user's instance, in its path, query or body. */
    private static List<RecordedCall> callsNaming(EvolutionApiSimulator simulator, UUID user) {
        String name = instanceNameOf(user);
        return simulator.calls().stream().filter(call -> call.path().contains(name)
                || (call.query() != null && call.query().contains(name))
                || (call.requestBody() != null && call.requestBody().contains(name))).toList();
    }

    private static void assertCalledOnlyAtItsServer(UUID user) {
        assertThat(callsNaming(otherSimulator(user), user)).as("calls for " + user + " at the other server").isEmpty();
    }

    private static List<RecordedCall> deleteCalls(EvolutionApiSimulator simulator) {
        return simulator.calls().stream().filter(call -> call.method().equals("DELETE")
                && call.path().startsWith("/instance/delete/")).toList();
    }

    private static void connect(UUID user) {
        Api.Reply connect = apiA.post("/api/instances/" + user + "/connect", env.tokens().serviceRole(), "{}");
        assertThat(connect.status()).as(connect.body()).isEqualTo(200);
    }

    /** A delivery for the user's instance, signed with its key as Evolution would, naming {@code serverUrl}. */
    private static Api.Reply deliverClaimingServer(UUID user, String serverUrl) {
        String key = simulatorOf(user).webhookOf(instanceNameOf(user)).orElseThrow()
                .getJsonObject("headers").getString("jwt_key");
        String body = Json.createObjectBuilder().add("event", "presence.update").add("instance", instanceNameOf(user))
                .add("data", Json.createObjectBuilder().add("id", UUID.randomUUID().toString()))
                .add("server_url", serverUrl).add("date_time", java.time.Instant.now().toString()).build().toString();
        return apiA.send(apiA.request("/api/webhooks/evolution", null).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + EvolutionSignatures.freshDeliveryToken(key))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Signs users up concurrently, alternately through node A and node B. */
    private static List<UUID> signUpConcurrently(int count) throws Exception {
        return Users.signUpConcurrently(count, usersA, new Users(apiB, env));
    }

    private static void awaitCompleted(List<UUID> users, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        for (UUID user : users) {
            usersA.awaitStatus(user, "completed", Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000)));
        }
    }

    /** A gauge or counter of the node's /metrics (summed over its series), 0 when it is not exported yet. */
    private static double gauge(Api api, String name) {
        Matcher matcher = Pattern.compile("(?m)^\\w*" + name + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(api.get("/metrics", null).body());
        double sum = 0;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(1));
        }
        return sum;
    }

    private static JsonObject healthCheck(Api api, String name) {
        Api.Reply health = api.get("/api/admin/health", env.tokens().serviceRole());
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        return health.json().getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                .filter(check -> check.getString("name").equals(name)).findFirst().orElseThrow();
    }
}
