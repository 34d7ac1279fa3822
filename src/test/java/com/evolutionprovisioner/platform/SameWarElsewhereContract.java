package com.evolutionprovisioner.platform;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.devstack.ApplicationServer;
import com.evolutionprovisioner.devstack.EmbeddedBroker;
import com.evolutionprovisioner.devstack.LocalMachine;
import com.evolutionprovisioner.provisioning.boundary.ProvisioningQueueJmx;
import com.evolutionprovisioner.provisioning.boundary.ProvisioningQueueMXBean;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Api.Reply;
import com.evolutionprovisioner.testsupport.LocalJmx;
import com.evolutionprovisioner.testsupport.SeparateBackends;
import com.evolutionprovisioner.testsupport.SmokeTest;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import com.evolutionprovisioner.testsupport.Users;
import jakarta.json.Json;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every server the WAR is deployed on must show, end to end: the fast path through the broker, webhook
 * deliveries checked and applied, readiness with the application's checks. Each server runs on a database and broker of
 * its own ({@link SeparateBackends}), so the rows it touches are its own work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SameWarElsewhereContract {

    protected TestEnvironment.Running env;
    protected SeparateBackends backends;
    protected ApplicationServer server;
    private Users users;

    /** Starts the server with the WAR deployed and ready, the application listening on {@code httpPort}. */
    protected abstract ApplicationServer start(Map<String, String> settings, int httpPort) throws Exception;

    /** The node id the server's settings give it, as recorded in claimed_by. */
    protected abstract String nodeId();

    @BeforeAll
    void deploy() throws Exception {
        env = TestEnvironment.get();
        backends = SeparateBackends.create(env, nodeId().replace('-', '_'));
        int httpPort = LocalMachine.freePort();
        server = start(backends.settingsFor(env, nodeId(), "http://127.0.0.1:" + httpPort), httpPort);
        users = new Users(new Api(server.baseUrl()), env);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (backends != null) {
            backends.close();
        }
    }

    @Test
    void aSignupIsProvisionedThroughTheBrokerWithWebhooksConfigured() throws Exception {
        long messagesBefore = backends.broker().messagesAdded(EmbeddedBroker.PROVISIONING_QUEUE);
        UUID user = UUID.randomUUID();

        Reply signup = users.signUp(user);
        var status = users.awaitStatus(user, "completed");

        assertThat(signup.status()).isEqualTo(201);
        // JSON-B's ISO-8601 date, whatever JSON provider the server would pick by itself.
        assertThat(signup.json().getString("createdAt")).matches("\\d{4}-\\d{2}-\\d{2}T.*");
        assertThat(status.getBoolean("webhookConfigured")).isTrue();
        assertThat(backends.queueColumn(user, "claimed_via")).isEqualTo("signup");
        assertThat(backends.queueColumn(user, "claimed_by")).isEqualTo(nodeId());
        assertThat(backends.broker().messagesAdded(EmbeddedBroker.PROVISIONING_QUEUE)).isGreaterThan(messagesBefore);
        assertThat(env.simulator().webhookOf(instanceNameOf(user)).orElseThrow().getString("url"))
                .isEqualTo(server.baseUrl() + "/api/webhooks/evolution");
    }

    @Test
    void aSignedDeliveryIsAppliedAndAnUnsignedOneRejected() {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String instance = instanceNameOf(user);

        EvolutionApiSimulator.DeliveryResult signed = env.simulator().deliver(instance, "connection.update",
                Json.createObjectBuilder().add("instance", instance).add("state", "open").add("statusReason", 200).build());
        Reply unsigned = new Api(server.baseUrl()).post("/api/webhooks/evolution", null,
                "{\"event\":\"connection.update\",\"instance\":\"" + instance + "\",\"data\":{\"state\":\"close\"}}");

        assertThat(signed.status()).isEqualTo(200);
        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(unsigned.body()).doesNotContain("Exception");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(users.status(user).getString("connectionState", null)).isEqualTo("open"));
    }

    @Test
    void theQueueMXBeanAnswersALocalJmxClient() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");

        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(LocalJmx.managementAddress(server.pid())))) {
            ProvisioningQueueMXBean queue = JMX.newMXBeanProxy(connector.getMBeanServerConnection(),
                    new ObjectName(ProvisioningQueueJmx.OBJECT_NAME), ProvisioningQueueMXBean.class);
            // The figures come from a snapshot a few seconds old at most.
            await().atMost(Duration.ofSeconds(15)).until(() -> queue.getCompletedCount() >= 1);
            assertThat(queue.getFailedCount()).isZero();
        }
    }

    @Test
    void theSmokeTestPasses() throws Exception {
        SmokeTest.Outcome smoke = SmokeTest.run(env, server.baseUrl(), server.healthBaseUrl() + "/health");

        assertThat(smoke.exitStatus()).as(smoke.output()).isZero();
        assertThat(smoke.output()).contains("SMOKE TEST PASSED");
    }

    @Test
    void readinessReportsTheApplicationsChecks() {
        Reply ready = new Api(server.healthBaseUrl()).get("/health/ready", null);

        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"database\"", "\"broker\"", "\"provisioning-queue\"", "\"evolution-api\"");
    }

}
