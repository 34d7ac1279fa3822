package com.evolutionprovisioner.platform;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.provisioning.boundary.InstanceSecretsJmx;
import com.evolutionprovisioner.provisioning.boundary.InstanceSecretsMXBean;
import com.evolutionprovisioner.provisioning.boundary.ProvisioningQueueJmx;
import com.evolutionprovisioner.provisioning.boundary.ProvisioningQueueMXBean;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.security.ReencryptionReport;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UserId;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.LocalJmx;
import com.evolutionprovisioner.testsupport.SmokeTest;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import com.evolutionprovisioner.webhooks.boundary.WebhookEventsJmx;
import com.evolutionprovisioner.webhooks.boundary.WebhookEventsMXBean;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;

/** What operators rely on: metrics, health, the JMX MXBeans, the monitoring SQL and the smoke test. */
class OperationsIT extends DeployedServiceTest {

    @Test
    void metricsShowProvisioningQueueAndWebhookFigures() {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        env.simulator().deliver(instanceNameOf(user), "connection.update", Json.createObjectBuilder().add("state", "open").build());
        api.send(api.request("/api/webhooks/evolution", null).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"event\":\"qrcode.updated\",\"instance\":\"" + instanceNameOf(user) + "\",\"data\":{}}")).build());

        String metrics = api.get("/metrics", null).body();

        assertThat(metrics)
                .contains("provisioning_attempts_total")
                .contains("provisioning_completed_total")
                .contains("provisioning_signup_to_completed_milliseconds_count")
                .contains("provisioning_queue_depth")
                .contains("provisioning_queue_oldest_pending_age")
                .contains("provisioning_webhook_configured_rate")
                .containsPattern("webhook_deliveries_received_total\\{[^}]*event=\"connection.update\"")
                .containsPattern("webhook_deliveries_rejected_total\\{[^}]*event=\"qrcode.updated\"[^}]*status=\"401\"");
    }

    @Test
    void readinessReportsEveryDependencyAndLivenessIsUp() {
        bringTheQueueBackToHealth();

        Api.Reply ready = api.get("/health/ready", null);

        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()).contains("\"database\"", "\"broker\"", "\"provisioning-queue\"", "\"evolution-api\"");
        assertThat(api.get("/health/live", null).status()).isEqualTo(200);
    }

    @Test
    void aStormOfReadinessProbesCostsEvolutionAtMostOneCallEveryTwoSeconds() throws Exception {
        Duration storm = Duration.ofSeconds(5);
        double versionReadsBefore = versionReads();
        AtomicInteger probes = new AtomicInteger();
        ExecutorService prober = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                running.add(prober.submit(() -> {
                    while (System.nanoTime() - start < storm.toNanos()) {
                        assertThat(api.get("/health/ready", null).status()).isIn(200, 503);
                        probes.incrementAndGet();
                    }
                }));
            }
            for (Future<?> each : running) {
                each.get();
            }
        } finally {
            prober.shutdown();
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        // The Evolution health check's call is GET on the base URL; the only other caller is a server's version read
        // (work left by earlier classes may need it), which the node counts.
        long evolutionProbes = simulator.calls().stream().filter(call -> call.method().equals("GET") && call.path().equals("/")).count()
                - Math.round(versionReads() - versionReadsBefore);
        System.out.printf("READINESS %d probes in %.1f s -> %d Evolution calls%n", probes.get(), seconds, evolutionProbes);
        assertThat(probes.get()).as("a storm, not a trickle").isGreaterThan(100);
        assertThat(evolutionProbes).isBetween(1L, (long) Math.ceil(seconds / 2) + 1);
    }

    @Test
    void anUnauthenticatedProbeShowsCheckNamesAndStatusesOnlyWhileTheServiceRoleSeesWhy() {
        simulator.setDown(true);
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api.get("/health/ready", null).body())
                    .contains("\"name\":\"evolution-api\",\"status\":\"DOWN\""));

            Api.Reply ready = api.get("/health/ready", null);
            Api.Reply detailed = api.get("/api/admin/health", env.tokens().serviceRole());

            assertThat(ready.body()).contains("\"database\"", "\"broker\"", "\"provisioning-queue\"")
                    .doesNotContain("Exception", "error", "127.0.0.1", "pending");
            // Payara Micro writes an empty "data" object for every check: empty it must be.
            assertThat(ready.json().getJsonArray("checks").getValuesAs(JsonObject.class))
                    .allSatisfy(check -> assertThat(check.getOrDefault("data", JsonValue.EMPTY_JSON_OBJECT).asJsonObject()).isEmpty());
            assertThat(detailed.status()).as(detailed.body()).isEqualTo(200);
            assertThat(detailed.json().getString("status")).isEqualTo("DOWN");
            JsonObject evolution = detailed.json().getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                    .filter(check -> check.getString("name").equals("evolution-api")).findFirst().orElseThrow();
            assertThat(evolution.getString("status")).isEqualTo("DOWN");
            assertThat(evolution.getJsonObject("data").getString("error")).contains("Exception");
        } finally {
            simulator.setDown(false);
        }
    }

    @Test
    void theQueueMXBeanReportsAndRequeuesOverARealJmxConnection() throws Exception {
        env.simulator().failNext(1_000, 400, "/instance/create");
        UUID user = users.signUpNew();
        users.awaitStatus(user, "failed");
        env.simulator().reset();

        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(LocalJmx.managementAddressOfPayaraMicro(env.httpPort())))) {
            ProvisioningQueueMXBean queue = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    new ObjectName(ProvisioningQueueJmx.OBJECT_NAME), ProvisioningQueueMXBean.class);

            // The figures come from a snapshot a few seconds old at most.
            await().atMost(Duration.ofSeconds(15)).until(() -> queue.getFailedCount() >= 1);
            assertThat(queue.requeueFailed()).isGreaterThanOrEqualTo(1);
            users.awaitStatus(user, "completed");
            assertThat(queue.getCompletedCount()).isGreaterThanOrEqualTo(1);
            assertThat(queue.requeue(user.toString())).isTrue();
            users.awaitStatus(user, "completed");

            // A row held for three minutes by a node that is alive: neither the poller's stuck rule (10 minutes)
            // nor its dead-node takeover touches it, so only the operator's reset can.
            UUID held = UUID.randomUUID();
            Database.update("INSERT INTO profiles (id, email) VALUES (?, 'held@example.com')", held);
            Database.update("INSERT INTO provisioner_nodes (node_id) VALUES ('busy-node') "
                    + "ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now()");
            Database.update("UPDATE evolution_instance_creation_queue SET status = 'processing', attempts = 1, "
                    + "claimed_by = 'busy-node', processing_started_at = now() - interval '3 minutes' WHERE user_id = ?", held);

            assertThat(queue.resetStuckOlderThanMinutes(2)).isEqualTo(1);
            assertThat(Database.queueRow(held).get("last_error")).asString().contains("stuck in processing");
            users.awaitStatus(held, "completed");
        }
    }

    @Test
    void theInstanceSecretsMXBeanReencryptsOverARealJmxConnection() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String key = Database.instanceSecret("webhook_key", user);
        SecretCipher beforeRotation = new SecretCipher(Base64.getDecoder().decode(TestEnvironment.SECRETS_KEY_PREVIOUS), null, () -> false);
        Database.update("UPDATE evolution_instances SET webhook_key = ? WHERE user_id = ?",
                beforeRotation.encrypt(key, EvolutionInstance.secretLocation(new UserId(user), EvolutionInstance.WEBHOOK_KEY)), user);

        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(LocalJmx.managementAddressOfPayaraMicro(env.httpPort())))) {
            InstanceSecretsMXBean secrets = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    new ObjectName(InstanceSecretsJmx.OBJECT_NAME), InstanceSecretsMXBean.class);

            assertThat(secrets.getKeyId()).isEqualTo(Database.secrets().keyId());
            ReencryptionReport report = secrets.reencryptAll();

            assertThat(report.getRewritten()).as(report.toString()).isEqualTo(1);
            assertThat(report.getFailed()).as(report.toString()).isZero();
            assertThat(report.getKeyId()).isEqualTo(secrets.getKeyId());
        }
        assertThat(Database.row("SELECT webhook_key FROM evolution_instances WHERE user_id = ?", user).orElseThrow()
                .get("webhook_key")).asString().startsWith("v2:" + Database.secrets().keyId() + ":");
        assertThat(Database.instanceSecret("webhook_key", user)).isEqualTo(key);
        assertThat(env.simulator().deliver(instanceNameOf(user), "connection.update",
                Json.createObjectBuilder().add("state", "open").build()).status()).isEqualTo(200);
    }

    @Test
    void theMonitoringSqlRunsAgainstTheRealSchema() throws Exception {
        List<String> statements = statementsOf(Path.of("sql", "monitoring.sql"));
        int resultSets = 0;
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            for (String statement : statements) {
                if (sql.execute(statement)) {
                    try (ResultSet ignored = sql.getResultSet()) {
                        resultSets++;
                    }
                }
            }
        }
        assertThat(resultSets).isGreaterThan(20);
    }

    @Test
    void theSmokeTestPassesAgainstARunningService() throws Exception {
        bringTheQueueBackToHealth();
        SmokeTest.Outcome smoke = SmokeTest.run(env, env.publicBaseUrl(), env.publicBaseUrl() + "/health");

        assertThat(smoke.exitStatus()).as(smoke.output()).isZero();
        assertThat(smoke.output()).contains("SMOKE TEST PASSED");
    }

    @Test
    void theSmokeTestFailsAtItsTimeoutWhenProvisioningDoesNotComplete() throws Exception {
        // Evolution up (readiness passes) but answering 503 to every create: the user stays pending, retried.
        env.simulator().failNext(100_000, 503, "/instance/create");
        // Readiness results are cached for 2 s: an Evolution outage of the previous test may still show.
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/health/ready", null).status() == 200);

        SmokeTest.Outcome smoke = SmokeTest.run(env, env.publicBaseUrl(), env.publicBaseUrl() + "/health", 5);

        assertThat(smoke.exitStatus()).as(smoke.output()).isEqualTo(1);
        assertThat(smoke.output()).contains("SMOKE TEST FAILED: 4/7 provisioning: not completed within 5s");
    }

    @Test
    void theWebhookEventsMXBeanPurgesEventsPastTheirRetention() throws Exception {
        Database.update("""
                INSERT INTO webhook_events (instance_name, event, dedup_key, payload, received_at, processed_at)
                VALUES ('evp-expired', 'contacts.update', 'expired-' || gen_random_uuid(), '{}',
                        now() - interval '31 days', now() - interval '31 days')""");

        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(LocalJmx.managementAddressOfPayaraMicro(env.httpPort())))) {
            WebhookEventsMXBean events = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    new ObjectName(WebhookEventsJmx.OBJECT_NAME), WebhookEventsMXBean.class);

            long expired = Database.count("SELECT count(*) FROM webhook_events "
                    + "WHERE processed_at IS NOT NULL AND received_at < now() - interval '30 days'");

            assertThat(expired).isPositive();
            assertThat(events.purgeExpired()).isEqualTo(expired);
            assertThat(events.getDeadLetterCount()).isEqualTo(Database.count(
                    "SELECT count(*) FROM webhook_events WHERE processed_at IS NULL AND apply_attempts >= 5"));
        }
        assertThat(Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = 'evp-expired'")).isZero();
    }

    @Test
    void everyPipelinesDeadLettersAreListedAndReplayedInOnePlace() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        Database.update("UPDATE evolution_instance_creation_queue SET status = 'failed', last_error = 'injected by OperationsIT'"
                + " WHERE user_id = ?", user);
        long rowId = Database.count("SELECT id FROM evolution_instance_creation_queue WHERE user_id = ?", user);
        String instance = "evp-dead-letter-" + UUID.randomUUID();
        Database.update("""
                INSERT INTO webhook_events (instance_name, event, dedup_key, payload, received_at, apply_attempts, apply_error)
                VALUES (?, 'contacts.update', 'dead-' || gen_random_uuid(), '{}', now(), 5, 'injected by OperationsIT')""",
                instance);
        long eventId = Database.count("SELECT id FROM webhook_events WHERE instance_name = ?", instance);
        String serviceRole = env.tokens().serviceRole();

        JsonObject all = api.get("/api/admin/dead-letters?limit=1000", serviceRole).json();

        assertThat(all.keySet()).containsExactly("provisioning", "webhook-events");
        // Other classes leave failed rows in this shared database: the count must agree with the list it heads.
        assertThat(all.getJsonObject("provisioning").getJsonNumber("count").longValue())
                .isEqualTo(all.getJsonObject("provisioning").getJsonArray("deadLetters").size());
        assertThat(letterWithId(all.getJsonObject("provisioning"), rowId))
                .containsEntry("pipeline", Json.createValue("provisioning"))
                .containsEntry("subject", Json.createValue("provision of user " + user))
                .containsEntry("lastError", Json.createValue("injected by OperationsIT"));
        assertThat(letterWithId(all.getJsonObject("webhook-events"), eventId))
                .containsEntry("subject", Json.createValue("contacts.update of " + instance))
                .containsEntry("attempts", Json.createValue(5));
        assertThat(api.post("/api/admin/dead-letters/provisioning/" + (rowId + 1_000_000_000L) + "/replay", serviceRole, "").status())
                .isEqualTo(404);
        assertThat(api.post("/api/admin/dead-letters/no-such-pipeline/" + rowId + "/replay", serviceRole, "").status())
                .isEqualTo(404);

        assertThat(api.post("/api/admin/dead-letters/webhook-events/" + eventId + "/replay", serviceRole, "").json()
                .getInt("replayed")).isEqualTo(1);
        assertThat(api.post("/api/admin/dead-letters/provisioning/" + rowId + "/replay", serviceRole, "").json()
                .getInt("replayed")).isEqualTo(1);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.row(
                "SELECT processed_at IS NOT NULL AS applied, applied_via FROM webhook_events WHERE id = ?", eventId).orElseThrow())
                .containsEntry("applied", true).containsEntry("applied_via", "replay"));
        users.awaitStatus(user, "completed");
        assertThat(Database.queueRow(user)).containsEntry("claimed_via", "requeue").containsEntry("attempts", 1);
    }

    private static JsonObject letterWithId(JsonObject pipeline, long id) {
        return pipeline.getJsonArray("deadLetters").getValuesAs(JsonObject.class).stream()
                .filter(letter -> letter.getJsonNumber("id").longValue() == id).findFirst().orElseThrow();
    }

    /**
     * Other test classes share this database and leave failed rows on purpose; the queue health check (part of
     * readiness) reports them. Re-queue them against a healthy simulator until nothing has failed.
     */
    private void bringTheQueueBackToHealth() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            api.post("/api/admin/queue/requeue-failed", env.tokens().serviceRole(), "");
            assertThat(Database.count("SELECT count(*) FROM evolution_instance_creation_queue WHERE status IN ('failed', 'pending')")).isZero();
        });
    }


    /** Splits a psql script into statements: drops comment lines, cuts at semicolons that end a line. */
    private static List<String> statementsOf(Path script) throws Exception {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(script)) {
            if (line.strip().startsWith("--") || line.isBlank()) {
                continue;
            }
            current.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                statements.add(current.toString().strip().replaceAll(";$", ""));
                current.setLength(0);
            }
        }
        return statements;
    }

    /** GET / calls the node made to read the seed server's version (evolution_server_version_reads_total). */
    private double versionReads() {
        return api.get("/metrics", null).body().lines()
                .filter(line -> line.startsWith("evolution_server_version_reads_total") && line.contains("server=\"primary\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
