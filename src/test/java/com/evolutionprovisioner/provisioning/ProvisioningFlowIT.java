package com.evolutionprovisioner.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.devstack.EmbeddedBroker;
import com.evolutionprovisioner.testsupport.Api.Reply;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The walking skeleton, end to end on Payara Micro, PostgreSQL, Artemis and the simulator. */
class ProvisioningFlowIT extends DeployedServiceTest {

    private static final String[] EVENTS = {"QRCODE_UPDATED", "CONNECTION_UPDATE", "MESSAGES_UPSERT", "MESSAGES_UPDATE", "SEND_MESSAGE"};

    @Test
    void signupIsProvisionedThroughTheBrokerWithWebhooksConfigured() throws Exception {
        long messagesBefore = env.broker().messagesAdded(EmbeddedBroker.PROVISIONING_QUEUE);
        UUID user = UUID.randomUUID();

        Reply signup = api.post("/api/profiles", env.tokens().user(user), "{\"email\":\"ana@example.com\",\"fullName\":\"Ana\"}");

        assertThat(signup.status()).isEqualTo(201);
        assertThat(signup.json().getString("id")).isEqualTo(user.toString());
        JsonObject status = users.awaitStatus(user, "completed");
        String instanceName = "evp-" + user;
        assertThat(status.getString("instanceName")).isEqualTo(instanceName);
        assertThat(status.getBoolean("webhookConfigured")).isTrue();
        assertThat(status.getInt("attempts")).isEqualTo(1);
        // Worked from the signup's own message, not rescued by the poller.
        assertThat(Database.queueRow(user).get("claimed_via")).isEqualTo("signup");
        assertThat(env.broker().messagesAdded(EmbeddedBroker.PROVISIONING_QUEUE)).isGreaterThan(messagesBefore);

        JsonObject webhook = simulator.webhookOf(instanceName).orElseThrow();
        assertThat(webhook.getString("url")).isEqualTo(env.publicBaseUrl() + "/api/webhooks/evolution");
        assertThat(webhook.getJsonArray("events").getValuesAs(JsonString::getString)).contains(EVENTS);
        assertThat(simulator.createCallsFor(instanceName)).isEqualTo(1);
    }

    @Test
    void repeatedSignupAnswers200WithTheSameProfile() {
        UUID user = UUID.randomUUID();
        String token = env.tokens().user(user);
        String body = "{\"email\":\"bo@example.com\",\"fullName\":\"Bo\"}";

        Reply first = api.post("/api/profiles", token, body);
        Reply second = api.post("/api/profiles", token, body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().getString("id")).isEqualTo(user.toString());
        assertThat(second.json().getString("createdAt")).isEqualTo(first.json().getString("createdAt"));
    }

    @Test
    void profileInsertedBySqlIsProvisionedByThePoller() throws Exception {
        UUID user = UUID.randomUUID();

        Database.update("INSERT INTO profiles (id, email, full_name) VALUES (?, 'sql@example.com', 'From SQL')", user);

        users.awaitStatus(user, "completed");
        assertThat(Database.queueRow(user).get("claimed_via")).isEqualTo("poller");
        assertThat(simulator.createCallsFor("evp-" + user)).isEqualTo(1);
    }

    @Test
    void serviceRoleCreatesAProfileForAUser() {
        UUID user = UUID.randomUUID();

        Reply signup = api.post("/api/profiles", env.tokens().serviceRole(),
                "{\"userId\":\"" + user + "\",\"email\":\"svc@example.com\"}");

        assertThat(signup.status()).isEqualTo(201);
        assertThat(signup.json().getString("id")).isEqualTo(user.toString());
    }

    @Test
    void missingOrInvalidTokenIsRejectedWithJson401() {
        Reply missing = api.get("/api/instances/me", null);
        Reply forged = api.get("/api/instances/me", "not.a.token");

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().getString("error")).isEqualTo("unauthorized");
        assertThat(forged.status()).isEqualTo(401);
    }

    @Test
    void readinessIsUpWithDatabaseAndBroker() {
        Reply ready = api.get("/health/ready", null);

        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()).contains("\"database\"").contains("\"broker\"");
    }
}
