package com.evolutionprovisioner.provisioning;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.devstack.EmbeddedPostgresServer;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Evolution API failing in every way the simulator can fail: the row must still end completed, with exactly one
 * instance per user, or failed with a reason an operator can act on.
 */
class ProvisioningResilienceIT extends DeployedServiceTest {

    /** QUEUE_MAX_ATTEMPTS of the test nodes (the default). */
    private static final int QUEUE_MAX_ATTEMPTS = 3;

    @Test
    void serverErrorsAreRetriedWithinOneAttempt() {
        simulator.failNext(2, 500, "/instance/create");

        UUID user = users.signUpNew();

        JsonObject status = users.awaitStatus(user, "completed");
        assertThat(status.getInt("attempts")).isEqualTo(1);
        assertThat(simulator.createCallsFor(instanceNameOf(user))).isEqualTo(3);
    }

    @Test
    void anEvolutionOutageDoesNotUseUpAttemptsAndTheUserFailsOnlyAfterTheGiveUpTime() throws Exception {
        simulator.setDown(true);
        UUID user = users.signUpNew();

        await().atMost(Duration.ofSeconds(60)).until(() ->
                ((Number) Database.queueRow(user).get("unavailable_attempts")).intValue() >= 3);
        Map<String, Object> during = Database.queueRow(user);
        assertThat(during.get("status")).isIn("pending", "processing");
        assertThat(((Number) during.get("attempts")).intValue()).as("outage attempts are not counted").isLessThanOrEqualTo(1);
        assertThat((String) during.get("last_error")).containsAnyOf("/instance/", "circuit open");

        // The outage has now lasted longer than QUEUE_UNAVAILABLE_GIVE_UP: the next unavailable attempt gives up.
        Database.update("UPDATE evolution_instance_creation_queue SET unavailable_since = now() - interval '2 hours' "
                + "WHERE user_id = ?", user);
        JsonObject failed = users.awaitStatus(user, "failed", Duration.ofSeconds(60));
        assertThat(failed.getInt("attempts")).isZero();
        // The user is told what kind of failure it is, never our internals; the service role reads the detail.
        assertThat(failed.getString("errorCode")).isEqualTo("evolution_unavailable");
        assertThat(failed).doesNotContainKey("lastError");
        assertThat(users.statusSeenByServiceRole(user).getString("lastError")).containsAnyOf("/instance/", "circuit open");

        simulator.setDown(false);
        letCircuitClose();
        assertThat(api.post("/api/admin/queue/" + user + "/requeue", env.tokens().serviceRole(), "").status()).isEqualTo(200);

        JsonObject completed = users.awaitStatus(user, "completed");
        assertThat(completed.isNull("errorCode")).isTrue();
        assertThat(Database.count("SELECT count(*) FROM evolution_instances WHERE user_id = ?", user)).isEqualTo(1);
        assertThat(Database.queueRow(user)).containsEntry("unavailable_attempts", 0).containsEntry("unavailable_since", null);
    }

    @Test
    void anEvolutionOutageOutlastingEveryUsersAttemptsDuringABurstLeavesEveryUserCompletedWithOneInstanceEach()
            throws Exception {
        simulator.failNext(Integer.MAX_VALUE, 503);
        List<UUID> burst = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            burst.add(users.signUpNew());
        }
        // The outage lasts until every user has met it on more attempts than QUEUE_MAX_ATTEMPTS allows: had they
        // been counted, each row would be failed by now (measured on the rows, not guessed with a fixed sleep).
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (UUID user : burst) {
                if (((Number) Database.queueRow(user).get("unavailable_attempts")).intValue() <= QUEUE_MAX_ATTEMPTS) {
                    return false;
                }
            }
            return true;
        });
        simulator.failNext(0, 503);

        for (UUID user : burst) {
            JsonObject status = users.awaitStatus(user, "completed", Duration.ofSeconds(90));
            assertThat(status.getInt("attempts")).as("the outage used none of " + user + "'s attempts").isEqualTo(1);
        }
        for (UUID user : burst) {
            assertThat(successfulCreatesFor(instanceNameOf(user))).as("instances created for " + user).isEqualTo(1);
            assertThat(simulator.webhookOf(instanceNameOf(user))).isPresent();
        }
    }

    @Test
    void everyDatabaseConnectionTerminatedMidBurstLosesNobodyAndCreatesOneInstanceEach() throws Exception {
        simulator.setLatencyMillis(200);
        List<UUID> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(users.signUpNew());
        }
        Thread.sleep(1_500); // some users created in Evolution, some mid-call, some still queued
        long terminated;
        // As an administrator or a failover would: only a superuser may end the service's sessions.
        try (Connection superuser = env.postgres().connectAsSuperuser(EmbeddedPostgresServer.DATABASE);
             Statement sql = superuser.createStatement();
             ResultSet ended = sql.executeQuery("""
                     SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                            WHERE pid <> pg_backend_pid() AND datname = current_database()) t""")) {
            ended.next();
            terminated = ended.getLong(1);
        }
        assertThat(terminated).as("connections terminated").isPositive();

        for (UUID user : burst) {
            users.awaitStatus(user, "completed", Duration.ofSeconds(120));
        }
        for (UUID user : burst) {
            assertThat(successfulCreatesFor(instanceNameOf(user))).as("instances created for " + user).isEqualTo(1);
            assertThat(Database.row("SELECT webhook_configured FROM evolution_instances WHERE user_id = ?", user)
                    .orElseThrow()).containsEntry("webhook_configured", true);
        }
    }

    @Test
    void aHangingEvolutionFailsTheAttemptAtTheTimeoutWithoutUsingItUp() throws Exception {
        simulator.hang(true);
        UUID user = users.signUpNew();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat((String) Database.queueRow(user).get("last_error")).containsIgnoringCase("timed out"));
        simulator.hang(false);

        JsonObject status = users.awaitStatus(user, "completed");
        assertThat(status.getInt("attempts")).as("a time-out is Evolution's unavailability, not counted").isEqualTo(1);
        assertThat(Database.queueRow(user)).containsEntry("unavailable_attempts", 0);
    }

    @Test
    void anInstanceEvolutionNoLongerKnowsIsCreatedAgainOnRepair() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String name = instanceNameOf(user);
        deleteInEvolution(name);
        await().atMost(Duration.ofSeconds(30)).until(() -> !evolutionKnows(name));

        assertThat(api.post("/api/admin/queue/" + user + "/requeue", env.tokens().serviceRole(), "").status()).isEqualTo(200);

        JsonObject status = users.awaitStatus(user, "completed", Duration.ofSeconds(60));
        assertThat(status.getBoolean("webhookConfigured")).isTrue();
        assertThat(successfulCreatesFor(name)).as("created once at signup, once after Evolution lost it").isEqualTo(2);
        assertThat(simulator.webhookOf(name)).isPresent();
        assertThat(simulator.calls().stream().filter(call -> call.path().equals("/webhook/find/" + name)
                && call.status() == 404)).as("the 404 that revealed the loss").isNotEmpty();
    }

    @Test
    void aNameAlreadyInUseIsReconciledNotDuplicated() throws Exception {
        UUID user = UUID.randomUUID();
        simulator.preCreateInstance(instanceNameOf(user));

        users.signUp(user);

        users.awaitStatus(user, "completed");
        assertThat(simulator.createCallsFor(instanceNameOf(user))).isEqualTo(1);
        assertThat(Database.row("SELECT evolution_instance_id FROM evolution_instances WHERE user_id = ?", user)
                .orElseThrow().get("evolution_instance_id")).isNotNull();
    }

    @Test
    void aLegacyInstanceIsAdoptedInsteadOfCreatingASecondOne() {
        UUID user = UUID.randomUUID();
        simulator.preCreateInstance("legacy-" + user);

        users.signUp(user);

        JsonObject status = users.awaitStatus(user, "completed");
        assertThat(status.getString("instanceName")).isEqualTo("legacy-" + user);
        assertThat(simulator.createCallsFor(instanceNameOf(user))).isZero();
        assertThat(simulator.webhookOf("legacy-" + user)).isPresent();
    }

    @ParameterizedTest
    @CsvSource({"V2_1, create-body", "V2_0, webhook-set-v2.0", "V1, webhook-set-v1"})
    void eachServerVersionGetsItsWebhookByTheMethodItUnderstands(ServerVersion version, String expectedMethod)
            throws Exception {
        simulator.setServerVersion(version);

        UUID user = users.signUpNew();

        users.awaitStatus(user, "completed");
        assertThat(webhookMethodOf(user)).isEqualTo(expectedMethod);
        JsonObject webhook = simulator.webhookOf(instanceNameOf(user)).orElseThrow();
        assertThat(webhook.getString("url")).isEqualTo(env.publicBaseUrl() + "/api/webhooks/evolution");
        assertThat(webhook.getJsonArray("events").getValuesAs(JsonString::getString))
                .contains("QRCODE_UPDATED", "CONNECTION_UPDATE", "MESSAGES_UPSERT", "MESSAGES_UPDATE", "SEND_MESSAGE");
    }

    @Test
    void aWipedWebhookIsRestoredWithTheNestedSetBodyWithoutANewInstance() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        simulator.clearWebhook(instanceNameOf(user));

        assertThat(api.post("/api/admin/queue/" + user + "/requeue", env.tokens().serviceRole(), "").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(webhookMethodOf(user)).isEqualTo("webhook-set-v2.1"));
        assertThat(simulator.webhookOf(instanceNameOf(user))).isPresent();
        assertThat(simulator.createCallsFor(instanceNameOf(user))).isEqualTo(1);
    }

    @Test
    void aCompletedUserCostsNoEvolutionCallWhenAskingForTheirInstance() {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        int callsBefore = simulator.calls().size();

        Api.Reply reply = api.post("/api/instances", env.tokens().user(user), "{}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().getString("status")).isEqualTo("completed");
        assertThat(simulator.calls()).hasSize(callsBefore);
    }

    @Test
    void aFailedUserSeesOnlyTheErrorCodeWhileTheServiceRoleSeesEvolutionsAnswer() {
        simulator.failNext(100, 400, "/instance/create");
        UUID user = users.signUpNew();
        users.awaitStatus(user, "failed", Duration.ofSeconds(60));

        Api.Reply seenByUser = api.get("/api/instances/me", env.tokens().user(user));
        JsonObject seenByServiceRole = users.statusSeenByServiceRole(user);

        assertThat(seenByUser.json().getString("errorCode")).isEqualTo("evolution_rejected");
        assertThat(seenByUser.json()).doesNotContainKey("lastError");
        assertThat(seenByUser.body()).doesNotContain("HTTP", "Exception", "injected", "/instance/create");
        assertThat(seenByServiceRole.getString("errorCode")).isEqualTo("evolution_rejected");
        assertThat(seenByServiceRole.getString("lastError")).contains("HTTP 400");
    }

    @Test
    void aFailedUserRepairsTheirInstanceThroughTheQueueNotOnTheRequest() throws Exception {
        simulator.failNext(100, 400, "/instance/create");
        UUID user = users.signUpNew();
        users.awaitStatus(user, "failed", Duration.ofSeconds(60));
        simulator.reset();

        Api.Reply reply = api.post("/api/instances", env.tokens().user(user), "{}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(reply.json().getString("status")).isEqualTo("pending");
        assertThat(reply.json().getInt("attempts")).isZero();
        String location = reply.raw().headers().firstValue("Location").orElseThrow();
        assertThat(location).isEqualTo(env.publicBaseUrl() + "/api/instances/me");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get(location.substring(env.publicBaseUrl().length()), env.tokens().user(user)).json()
                        .getString("status")).isEqualTo("completed"));
        JsonObject repaired = users.status(user);
        assertThat(repaired.getInt("attempts")).isEqualTo(1);
        assertThat(repaired.getBoolean("webhookConfigured")).isTrue();
        assertThat(repaired.isNull("errorCode")).isTrue();
        assertThat(Database.queueRow(user).get("claimed_via")).isEqualTo("api");
        assertThat(simulator.createCallsFor(instanceNameOf(user))).isEqualTo(1);
    }

    @Test
    void theServiceRoleRepairsForAUserAndIsToldWhereToFollowIt() {
        simulator.failNext(100, 400, "/instance/create");
        UUID user = users.signUpNew();
        users.awaitStatus(user, "failed", Duration.ofSeconds(60));
        simulator.reset();

        Api.Reply reply = api.post("/api/instances", env.tokens().serviceRole(), "{\"userId\":\"" + user + "\"}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(reply.json().getString("lastError")).contains("HTTP 400");
        assertThat(reply.raw().headers().firstValue("Location")).hasValue(env.publicBaseUrl() + "/api/instances/" + user);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(users.statusSeenByServiceRole(user).getString("status")).isEqualTo("completed"));
    }

    @Test
    void repairsAreLimitedPerUserWithRetryAfter() throws Exception {
        UUID user = users.signUpNew();
        UUID other = users.signUpNew();
        users.awaitStatus(user, "completed");
        users.awaitStatus(other, "completed");
        // Rows waiting for a next attempt an hour away: each request nudges and counts, none can start an attempt.
        String postpone = "UPDATE evolution_instance_creation_queue SET status = 'pending', next_attempt_at = now() + interval '1 hour' WHERE user_id = ?";
        Database.update(postpone, user);
        Database.update(postpone, other);
        int callsBefore = simulator.calls().size();

        List<Integer> allowed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            allowed.add(api.post("/api/instances", env.tokens().user(user), "{}").status());
        }
        Api.Reply refused = api.post("/api/instances", env.tokens().user(user), "{}");
        Api.Reply otherUser = api.post("/api/instances", env.tokens().user(other), "{}");
        Api.Reply serviceRole = api.post("/api/instances", env.tokens().serviceRole(), "{\"userId\":\"" + user + "\"}");

        assertThat(allowed).containsExactly(202, 202, 202, 202, 202);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().getString("error")).isEqualTo("too_many_requests");
        assertThat(Integer.parseInt(refused.raw().headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);
        assertThat(otherUser.status()).as("another user's allowance is their own").isEqualTo(202);
        assertThat(serviceRole.status()).as("the service role is not limited").isEqualTo(202);
        assertThat(Database.queueRow(user).get("actions_in_window")).isEqualTo(5);
        assertThat(simulator.calls()).as("no attempt ran on a request").hasSize(callsBefore);

        Database.update("UPDATE evolution_instance_creation_queue SET next_attempt_at = now() WHERE user_id IN (?, ?)", user, other);
        users.awaitStatus(user, "completed");
        users.awaitStatus(other, "completed");
    }

    @Test
    void aHundredSimultaneousSignupsCreateExactlyOneInstanceEach() throws Exception {
        List<UUID> signedUp = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(25);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                UUID user = UUID.randomUUID();
                signedUp.add(user);
                answers.add(clients.submit(() -> users.signUp(user).status()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(201);
            }
        } finally {
            clients.shutdown();
        }

        for (UUID user : signedUp) {
            users.awaitStatus(user, "completed", Duration.ofSeconds(120));
        }
        for (UUID user : signedUp) {
            assertThat(simulator.createCallsFor(instanceNameOf(user))).as("create calls for " + user).isEqualTo(1);
        }
        String ids = String.join(",", signedUp.stream().map(UUID::toString).toList());
        assertThat(Database.count("SELECT count(*) FROM evolution_instances WHERE user_id::text = ANY (string_to_array(?, ','))",
                ids)).isEqualTo(100);
    }

    @Test
    void aRowStuckInProcessingIsResetAndCompleted() throws Exception {
        UUID user = UUID.randomUUID();
        // A worker that died eleven minutes ago, mid-attempt: profile and claim committed together.
        try (Connection connection = Database.connect()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO profiles (id, email) VALUES (?, 'stuck@example.com')");
                 PreparedStatement claim = connection.prepareStatement("""
                         UPDATE evolution_instance_creation_queue
                            SET status = 'processing', attempts = 1, claimed_by = 'dead-node',
                                processing_started_at = now() - interval '11 minutes'
                          WHERE user_id = ?""")) {
                insert.setObject(1, user);
                insert.executeUpdate();
                claim.setObject(1, user);
                claim.executeUpdate();
            }
            connection.commit();
        }

        JsonObject status = users.awaitStatus(user, "completed");
        assertThat(status.getInt("attempts")).isEqualTo(2);
        assertThat(Database.queueRow(user).get("claimed_by")).isNotEqualTo("dead-node");
    }

    @Test
    void theCircuitOpensUnderSustainedFailureAndClosesAfterRecovery() throws Exception {
        double openedBefore = circuitOpenings();
        simulator.failNext(10_000, 503);

        List<UUID> victims = List.of(users.signUpNew(), users.signUpNew(), users.signUpNew());

        await().atMost(Duration.ofSeconds(60)).until(() -> circuitOpenings() > openedBefore);
        simulator.reset();
        letCircuitClose();
        UUID afterRecovery = users.signUpNew();
        users.awaitStatus(afterRecovery, "completed");
        api.post("/api/admin/queue/requeue-failed", env.tokens().serviceRole(), "");
        for (UUID victim : victims) {
            users.awaitStatus(victim, "completed", Duration.ofSeconds(90));
        }
    }

    /** Creates Evolution answered 201 for this name: instances it actually created. */
    private long successfulCreatesFor(String instanceName) {
        return simulator.calls().stream()
                .filter(call -> call.method().equals("POST") && call.path().equals("/instance/create") && call.status() == 201)
                .filter(call -> call.requestBody().contains("\"instanceName\":\"" + instanceName + "\""))
                .count();
    }

    private boolean evolutionKnows(String instanceName) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/instance/fetchInstances?instanceName=" + instanceName))
                .header("apikey", TestEnvironment.EVOLUTION_KEY).GET().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode() != 404;
    }

    /** Deletes the instance through Evolution's own API, as an Evolution operator (or a lost volume) would. */
    private void deleteInEvolution(String instanceName) throws Exception {
        HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/instance/delete/" + instanceName))
                .header("apikey", TestEnvironment.EVOLUTION_KEY).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).isEqualTo(200);
    }

    private String webhookMethodOf(UUID user) throws Exception {
        return (String) Database.row("SELECT webhook_method FROM evolution_instances WHERE user_id = ?", user)
                .orElseThrow().get("webhook_method");
    }

    /** How many times the circuit breaker of the (seed) Evolution server has opened, from the application's metrics. */
    private double circuitOpenings() {
        return api.get("/metrics", null).body().lines()
                .filter(line -> line.startsWith("evolution_server_circuit_opened_total") && line.contains("server=\"primary\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The breaker's delay in the test configuration is 2 s: wait it out so the next test starts with a closed circuit. */
    private static void letCircuitClose() throws InterruptedException {
        Thread.sleep(2_500);
    }
}
