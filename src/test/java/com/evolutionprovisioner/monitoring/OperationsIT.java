package com.evolutionprovisioner.monitoring;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.LocalJmx;
import com.evolutionprovisioner.testsupport.SmokeTest;
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

/** What operators rely on: metrics, health, the JMX MXBean, the monitoring SQL and the smoke test. */
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

        // The Evolution health check's call is GET on the base URL; nothing else calls it.
        long evolutionProbes = simulator.calls().stream().filter(call -> call.method().equals("GET") && call.path().equals("/")).count();
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

        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(localManagementAddressOfPayara()))) {
            ProvisioningQueueMXBean queue = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    new ObjectName(ProvisioningQueueJmx.OBJECT_NAME), ProvisioningQueueMXBean.class);

            // The figures come from a snapshot a few seconds old at most.
            await().atMost(Duration.ofSeconds(15)).until(() -> queue.getFailedCount() >= 1);
            assertThat(queue.requeueFailed()).isGreaterThanOrEqualTo(1);
            users.awaitStatus(user, "completed");
            assertThat(queue.getCompletedCount()).isGreaterThanOrEqualTo(1);
            assertThat(queue.resetStuck()).isGreaterThanOrEqualTo(0);
            assertThat(queue.requeue(user.toString())).isTrue();
        }
        users.awaitStatus(user, "completed");
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

    /** Attaches to the Payara Micro process serving the tests, as JConsole does, and returns its JMX address. */
    private String localManagementAddressOfPayara() throws Exception {
        String port = "--port " + env.httpPort();
        long pid = ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains("payara-micro") && line.contains(port)).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("No Payara Micro process with " + port))
                .pid();
        return LocalJmx.managementAddress(pid);
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
}
