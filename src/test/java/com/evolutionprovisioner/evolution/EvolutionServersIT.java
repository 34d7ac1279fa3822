package com.evolutionprovisioner.evolution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.evolution.boundary.EvolutionServersJmx;
import com.evolutionprovisioner.evolution.boundary.EvolutionServersMXBean;
import com.evolutionprovisioner.evolution.entity.EvolutionServer;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.LocalJmx;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pool of Evolution servers as operators manage it: the seed server from EVOLUTION_API_BASE_URL, a second
 * simulator added through the admin API (no restart), listed with its instances and health, changed, refused with
 * precise 400s, 409s and 404s; its key stored encrypted and never answered; JMX, metrics and readiness per server.
 * The servers this class adds are disabled or empty, and deleted at the end, so that no other class places on them.
 */
class EvolutionServersIT extends DeployedServiceTest {

    private static final String SECOND_KEY = "second-server-global-key";
    private static final String PATH = "/api/admin/evolution-servers";
    private static EvolutionApiSimulator second;

    @BeforeAll
    static void startSecondServer() {
        second = EvolutionApiSimulator.start(0, SECOND_KEY);
    }

    @AfterAll
    static void removeAddedServers() throws Exception {
        Database.update("DELETE FROM evolution_placements WHERE server_name LIKE 'it-%'");
        Database.update("DELETE FROM evolution_servers WHERE name LIKE 'it-%'");
        second.close();
    }

    @Test
    void theSeedServerIsTheConfiguredOneAndItsKeyIsStoredEncrypted() throws Exception {
        JsonObject seed = server(list(), "primary");

        assertThat(seed.getString("baseUrl")).isEqualTo(simulator.baseUrl());
        assertThat(seed.getString("state")).isEqualTo("active");
        assertThat(seed.getInt("capacity")).isEqualTo(1000);
        assertThat(seed).doesNotContainKey("apiKey");
        String stored = (String) Database.row("SELECT api_key FROM evolution_servers WHERE name = 'primary'")
                .orElseThrow().get("api_key");
        assertThat(stored).startsWith("v2:").doesNotContain(com.evolutionprovisioner.testsupport.TestEnvironment.EVOLUTION_KEY);
        assertThat(Database.secrets().decrypt(stored, EvolutionServer.secretLocation("primary")))
                .isEqualTo(com.evolutionprovisioner.testsupport.TestEnvironment.EVOLUTION_KEY);
    }

    @Test
    void aServerIsAddedWithoutRestartListedWithItsHealthAndChanged() throws Exception {
        String name = "it-" + UUID.randomUUID().toString().substring(0, 8);

        Api.Reply added = api.post(PATH, env.tokens().serviceRole(), """
                {"name":"%s","baseUrl":"%s/","apiKey":"%s","capacity":0}""".formatted(name, second.baseUrl(), SECOND_KEY));

        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.body()).doesNotContain(SECOND_KEY).doesNotContain("apiKey");
        assertThat(added.json().getString("baseUrl")).as("stored without the trailing slash").isEqualTo(second.baseUrl());
        assertThat(added.json().getString("state")).isEqualTo("active");
        assertThat(second.calls()).as("its version was read on add")
                .anySatisfy(call -> assertThat(call.method() + " " + call.path()).isEqualTo("GET /"));

        List<JsonObject> servers = list();
        JsonObject listed = server(servers, name);
        assertThat(listed.getInt("instances")).isZero();
        assertThat(listed.getJsonObject("health").getString("circuit")).isEqualTo("closed");
        assertThat(listed.getJsonObject("health").getString("version")).isEqualTo("2.3.6");
        assertThat(listed.getJsonObject("health").getJsonNumber("recentFailureRate").doubleValue()).isZero();
        assertThat(listed.getJsonObject("health").getBoolean("healthy")).isTrue();
        assertThat(servers.toString()).doesNotContain(SECOND_KEY);

        Api.Reply changed = patch(name, "{\"capacity\":7,\"state\":\"draining\"}");

        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().getInt("capacity")).isEqualTo(7);
        assertThat(changed.json().getString("state")).isEqualTo("draining");
        assertThat(Database.row("SELECT capacity, state FROM evolution_servers WHERE name = ?", name).orElseThrow())
                .containsEntry("capacity", 7).containsEntry("state", "draining");
        assertThat(patch(name, "{\"state\":\"disabled\"}").json().getInt("capacity")).as("unchanged").isEqualTo(7);
    }

    @Test
    void badInputIsAPrecise400NamingEveryProblemWithoutTheKey() {
        Api.Reply refused = api.post(PATH, env.tokens().serviceRole(), """
                {"name":"Bad Name!","baseUrl":"ftp://evolution.example","apiKey":"%s","capacity":-1,"state":"asleep"}"""
                .formatted(SECOND_KEY));

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().getString("error")).isEqualTo("bad_request");
        assertThat(refused.json().getString("message")).contains(
                "name must be 1 to 63 lower-case letters, digits or hyphens",
                "capacity must be 0 or more.",
                "state must be active, draining or disabled.",
                "baseUrl must be an absolute http:// or https:// URL with a host.")
                .doesNotContain(SECOND_KEY);
        assertThat(api.post(PATH, env.tokens().serviceRole(), "{\"name\":\"it-nokey\",\"baseUrl\":\"https://e.example\",\"capacity\":1}")
                .json().getString("message")).isEqualTo("apiKey is required.");
        assertThat(api.post(PATH, env.tokens().serviceRole(), "{\"name\":").status()).isEqualTo(400);
        assertThat(patch("primary", "{\"capacity\":-2}").json().getString("message")).isEqualTo("capacity must be 0 or more.");
        assertThat(patch("primary", "{}").status()).isEqualTo(400);
        assertThat(server(list(), "primary").getInt("capacity")).as("nothing changed").isEqualTo(1000);
    }

    @Test
    void aTakenNameOrBaseUrlIs409AndAnUnknownServer404() {
        Api.Reply name = api.post(PATH, env.tokens().serviceRole(), """
                {"name":"primary","baseUrl":"http://127.0.0.1:1","apiKey":"k","capacity":1}""");
        Api.Reply url = api.post(PATH, env.tokens().serviceRole(), """
                {"name":"it-same-url","baseUrl":"%s/","apiKey":"k","capacity":1}""".formatted(simulator.baseUrl()));

        assertThat(name.status()).as(name.body()).isEqualTo(409);
        assertThat(name.json().getString("message")).isEqualTo("A server named primary exists already.");
        assertThat(url.status()).as(url.body()).isEqualTo(409);
        assertThat(url.json().getString("message")).isEqualTo("A server with this base URL exists already.");
        Api.Reply unknown = patch("it-nobody", "{\"capacity\":1}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().getString("error")).isEqualTo("not_found");
    }

    @Test
    void aServerTheLicenceGateTookOutComesBackOnceActivated() throws Exception {
        String name = "it-lic-" + UUID.randomUUID().toString().substring(0, 8);
        EvolutionApiSimulator gated = EvolutionApiSimulator.start(0, SECOND_KEY);
        try {
            gated.setLicenceRequired(true);
            assertThat(api.post(PATH, env.tokens().serviceRole(), """
                    {"name":"%s","baseUrl":"%s","apiKey":"%s","capacity":0}""".formatted(name, gated.baseUrl(), SECOND_KEY))
                    .status()).isEqualTo(201);
            // as the transport leaves it when a call about one of its instances meets the gate
            Database.update("UPDATE evolution_servers SET state = 'disabled', state_reason = 'licence_required' WHERE name = ?", name);

            await().atMost(Duration.ofSeconds(15)).until(() -> gated.calls().stream()
                    .filter(call -> call.path().equals("/instance/fetchInstances")).count() >= 2);
            JsonObject stillGated = server(list(), name);
            assertThat(stillGated.getString("state")).isEqualTo("disabled");
            assertThat(stillGated.getJsonObject("health").getString("stateReason")).isEqualTo("licence_required");

            gated.setLicenceRequired(false);

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(server(list(), name).getString("state")).isEqualTo("active"));
            assertThat(server(list(), name).getJsonObject("health").get("stateReason")).isIn(null, JsonValue.NULL);
        } finally {
            Database.update("UPDATE evolution_servers SET state = 'disabled' WHERE name = ?", name);
            gated.close();
        }
    }

    @Test
    void onlyTheServiceRoleManagesServers() {
        assertThat(api.get(PATH, null).status()).isEqualTo(401);
        assertThat(api.get(PATH, env.tokens().user(UUID.randomUUID())).status()).isEqualTo(403);
        assertThat(api.post(PATH, env.tokens().user(UUID.randomUUID()), """
                {"name":"it-user","baseUrl":"http://127.0.0.1:2","apiKey":"k","capacity":1}""").status()).isEqualTo(403);
    }

    @Test
    void jmxListsAddsAndChangesServers() throws Exception {
        String name = "it-jmx-" + UUID.randomUUID().toString().substring(0, 8);
        try (JMXConnector connector = JMXConnectorFactory.connect(
                new JMXServiceURL(LocalJmx.managementAddressOfPayaraMicro(env.httpPort())))) {
            EvolutionServersMXBean pool = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    new ObjectName(EvolutionServersJmx.OBJECT_NAME), EvolutionServersMXBean.class);

            assertThat(pool.getServers()).anySatisfy(line -> assertThat(line).startsWith("primary " + simulator.baseUrl() + " active"));
            assertThat(pool.addServer(name, "http://127.0.0.1:9", SECOND_KEY, 0))
                    .startsWith(name + " http://127.0.0.1:9 active instances 0/0").doesNotContain(SECOND_KEY);
            assertThat(pool.setCapacity(name, 3)).contains("instances 0/3");
            assertThat(pool.setState(name, "disabled")).startsWith(name + " http://127.0.0.1:9 disabled");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> pool.setState(name, "asleep")))
                    .hasMessageContaining("state must be active, draining or disabled.");
        }
    }

    @Test
    void metricsAndReadinessAreKeptPerServer() {
        JsonObject evolution = api.get("/api/admin/health", env.tokens().serviceRole()).json().getJsonArray("checks")
                .getValuesAs(JsonObject.class).stream().filter(check -> check.getString("name").equals("evolution-api"))
                .findFirst().orElseThrow();
        assertThat(evolution.getString("status")).isEqualTo("UP");
        assertThat(evolution.getJsonObject("data").getJsonObject("servers").getString("primary")).isEqualTo("reachable (HTTP 200)");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api.get("/metrics", null).body())
                .containsPattern("evolution_server_capacity\\{[^}]*server=\"primary\"[^}]*\\} 1000")
                .containsPattern("evolution_server_instances\\{[^}]*server=\"primary\"")
                .containsPattern("evolution_server_circuit_state\\{[^}]*server=\"primary\"[^}]*\\} 0"));
    }

    private List<JsonObject> list() {
        Api.Reply reply = api.get(PATH, env.tokens().serviceRole());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.jsonValue().asJsonArray().getValuesAs(JsonObject.class);
    }

    private static JsonObject server(List<JsonObject> servers, String name) {
        return servers.stream().filter(server -> server.getString("name").equals(name)).findFirst().orElseThrow();
    }

    private Api.Reply patch(String name, String json) {
        return api.send(api.request(PATH + "/" + name, env.tokens().serviceRole()).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
    }
}
