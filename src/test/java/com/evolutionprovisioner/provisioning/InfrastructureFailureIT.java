package com.evolutionprovisioner.provisioning;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.testsupport.Api.Reply;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.EvolutionSignatures;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Our own infrastructure failing under a running service: the broker stopped, the database restarted. */
class InfrastructureFailureIT extends DeployedServiceTest {

    @Test
    void withTheBrokerDownSignupsSucceedThePollerProvisionsAndTheFastPathComesBack() throws Exception {
        env.broker().stop();
        UUID duringOutage;
        try {
            duringOutage = users.signUpNew();
            // Readiness results are cached for up to 2 s.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Reply ready = api.get("/health/ready", null);
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.body()).containsPattern("\"name\":\"broker\",\"status\":\"DOWN\"");
            });
            users.awaitStatus(duringOutage, "completed");
            assertThat(Database.queueRow(duringOutage).get("claimed_via")).isEqualTo("poller");
        } finally {
            env.broker().start();
        }
        long brokerBack = System.nanoTime();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            UUID afterRestart = users.signUpNew();
            users.awaitStatus(afterRestart, "completed");
            assertThat(Database.queueRow(afterRestart).get("claimed_via")).isEqualTo("signup");
        });
        // Reported for the operations notes, not asserted: tests assert behaviour, benchmarks measure time.
        System.out.printf("RECOVERY broker restart -> fast path again: %.1f s%n", (System.nanoTime() - brokerBack) / 1e9);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get("/health/ready", null).body()).containsPattern("\"name\":\"broker\",\"status\":\"UP\""));
    }

    @Test
    void withTheDatabaseDownTheApiAndTheReceiverAnswer503AndEverythingResumesAfterwards() throws Exception {
        UUID before = users.signUpNew();
        users.awaitStatus(before, "completed");
        String key = Database.instanceSecret("webhook_key", before);
        String delivery = "{\"event\":\"connection.update\",\"instance\":\"" + instanceNameOf(before)
                + "\",\"data\":{\"state\":\"open\"}}";

        env.postgres().stop();
        Reply signup;
        Reply webhook;
        try {
            signup = users.signUp(UUID.randomUUID());
            webhook = api.send(api.request("/api/webhooks/evolution", null).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + EvolutionSignatures.freshDeliveryToken(key))
                    .POST(HttpRequest.BodyPublishers.ofString(delivery)).build());
        } finally {
            env.postgres().start();
        }
        long databaseBack = System.nanoTime();

        assertThat(signup.status()).isEqualTo(503);
        assertThat(signup.raw().headers().firstValue("Retry-After")).isPresent();
        assertThat(signup.json().getString("error")).isEqualTo("unavailable");
        assertThat(signup.body()).doesNotContain("Exception");
        assertThat(webhook.status()).as("Evolution retries a 503, never a 4xx").isEqualTo(503);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(users.signUp(UUID.randomUUID()).status()).isEqualTo(201));
        System.out.printf("RECOVERY database restart -> signups accepted again: %.1f s%n", (System.nanoTime() - databaseBack) / 1e9);
        UUID after = users.signUpNew();
        users.awaitStatus(after, "completed");
        Reply redelivered = api.send(api.request("/api/webhooks/evolution", null).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + EvolutionSignatures.freshDeliveryToken(key))
                .POST(HttpRequest.BodyPublishers.ofString(delivery)).build());
        assertThat(redelivered.status()).isEqualTo(200);
    }
}
