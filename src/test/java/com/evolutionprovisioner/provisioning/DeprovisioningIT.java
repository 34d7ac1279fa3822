package com.evolutionprovisioner.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.RecordedCall;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.Users;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Deleting a user against the simulator: logout then delete at Evolution, every row of ours erased only once Evolution
 * has removed the instance, repeats, Evolution down or already without the instance, the delayed removal and signing up
 * again, a deletion racing a provisioning attempt, and who may delete whom.
 */
class DeprovisioningIT extends DeployedServiceTest {

    private static final String WUID = "5511987654321@s.whatsapp.net";

    @Test
    void logoutThenDeleteAtEvolutionThenEveryRowIsErasedAndARepeatQueuesNothingMore() throws Exception {
        UUID user = provisionedWithTraffic();
        String name = Users.instanceNameOf(user);
        double startedBefore = metric("deprovisioning_started_total");
        double completedBefore = metric("deprovisioning_completed_total");
        simulator.setRemovalDelay(Duration.ofSeconds(3)); // the deletion stays under way long enough to repeat it
        int callsBefore = simulator.calls().size();

        Api.Reply first = delete("/api/profiles/me", env.tokens().user(user));

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.raw().headers().firstValue("Location").orElseThrow()).endsWith("/api/instances/me");
        assertThat(first.json().getString("operation")).isEqualTo("deprovision");
        assertThat(first.json().getString("userId")).isEqualTo(user.toString());
        Api.Reply repeat = delete("/api/profiles/me", env.tokens().user(user));
        assertThat(repeat.status()).as(repeat.body()).isEqualTo(202);
        assertThat(users.status(user).getString("operation")).isEqualTo("deprovision");

        List<Integer> answers = awaitDeleted("/api/profiles/me", env.tokens().user(user));

        assertThat(answers).last().isEqualTo(204);
        List<RecordedCall> deletion = simulator.calls().subList(callsBefore, simulator.calls().size());
        assertThat(deletion).filteredOn(call -> call.path().endsWith("/" + name))
                .extracting(RecordedCall::method, RecordedCall::path, RecordedCall::status)
                .containsExactly(tuple("DELETE", "/instance/logout/" + name, 200), tuple("DELETE", "/instance/delete/" + name, 200));
        // then Evolution was asked until it no longer listed the instance
        assertThat(deletion).filteredOn(call -> call.path().equals("/instance/fetchInstances"))
                .allSatisfy(call -> assertThat(call.query()).isEqualTo("instanceName=" + name))
                .extracting(RecordedCall::status).last().isEqualTo(404);
        assertThat(deletion).as("nothing else").allSatisfy(call -> assertThat(call.path())
                .isIn("/instance/logout/" + name, "/instance/delete/" + name, "/instance/fetchInstances"));
        assertThat(simulator.stateOf(name)).as("removed at Evolution").isEmpty();
        assertNothingLeft(user, name);
        assertThat(api.get("/api/profiles/me", env.tokens().user(user)).status()).isEqualTo(404);
        assertThat(api.get("/api/instances/me", env.tokens().user(user)).status()).isEqualTo(404);
        assertThat(delete("/api/profiles/me", env.tokens().user(user)).status()).as("a repeat after the end").isEqualTo(204);
        assertThat(metric("deprovisioning_started_total")).as("the repeats started nothing").isEqualTo(startedBefore + 1);
        assertThat(metric("deprovisioning_completed_total")).isEqualTo(completedBefore + 1);
    }

    @Test
    void anInstanceEvolutionNoLongerKnowsIsTreatedAsGone() throws Exception {
        UUID forgotten = provisionedWithTraffic();
        UUID notFoundOnDelete = provisionedWithTraffic();
        String forgottenName = Users.instanceNameOf(forgotten);
        String secondName = Users.instanceNameOf(notFoundOnDelete);
        simulator.reset(); // Evolution lost both instances (and forgot the calls so far)
        simulator.preCreateInstance(secondName); // the second one it has, but its delete answers 404
        simulator.failNext(1, 404, "/instance/delete/");

        assertThat(delete("/api/profiles/me", env.tokens().user(forgotten)).status()).isEqualTo(202);
        assertThat(awaitDeleted("/api/profiles/me", env.tokens().user(forgotten))).last().isEqualTo(204);
        assertThat(delete("/api/profiles/me", env.tokens().user(notFoundOnDelete)).status()).isEqualTo(202);
        assertThat(awaitDeleted("/api/profiles/me", env.tokens().user(notFoundOnDelete))).last().isEqualTo(204);

        assertThat(evolutionCallsOn(forgottenName)).extracting(RecordedCall::path, RecordedCall::status)
                .containsExactly(tuple("/instance/logout/" + forgottenName, 404));
        assertThat(evolutionCallsOn(secondName)).extracting(RecordedCall::path, RecordedCall::status)
                .containsExactly(tuple("/instance/logout/" + secondName, 400),
                        tuple("/instance/delete/" + secondName, 404));
        assertNothingLeft(forgotten, forgottenName);
        assertNothingLeft(notFoundOnDelete, secondName);
    }

    @Test
    void evolutionDownDuringTheDeletionErasesNothingUntilItIsBackThenCompletes() throws Exception {
        UUID user = provisionedWithTraffic();
        String name = Users.instanceNameOf(user);
        simulator.setDown(true);

        assertThat(delete("/api/profiles/me", env.tokens().user(user)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                ((Number) Database.queueRow(user).get("unavailable_attempts")).intValue() >= 2);

        Map<String, Object> waiting = Database.queueRow(user);
        assertThat(waiting).containsEntry("operation", "deprovision").containsEntry("last_error_code", "evolution_unavailable");
        assertThat(waiting.get("status")).isIn("pending", "processing");
        assertThat(waiting.get("attempts")).as("an outage is not counted: at most the attempt in flight").isIn(0, 1);
        assertThat(users.status(user).getString("errorCode")).isEqualTo("evolution_unavailable");
        assertThat(countsOf(user, name)).as("nothing erased before Evolution confirmed")
                .containsEntry("profiles", 1L).containsEntry("evolution_instances", 1L)
                .containsEntry("webhook_events", 2L).containsEntry("evolution_messages", 1L)
                .containsEntry("instance_connection_history", 1L);

        simulator.setDown(false);
        assertThat(awaitDeleted("/api/profiles/me", env.tokens().user(user))).last().isEqualTo(204);
        assertThat(evolutionCallsOn(name)).filteredOn(call -> call.method().equals("DELETE") && call.status() == 200)
                .extracting(RecordedCall::path).containsExactly("/instance/logout/" + name, "/instance/delete/" + name);
        assertThat(simulator.stateOf(name)).isEmpty();
        assertNothingLeft(user, name);
    }

    @Test
    void aSlowRemovalKeepsTheDataUntilEvolutionIsDoneAndSigningUpAgainGetsANewWorkingInstance() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String name = Users.instanceNameOf(user);
        Map<String, Object> before = Database.row(
                "SELECT evolution_instance_id FROM evolution_instances WHERE user_id = ?", user).orElseThrow();
        String keyBefore = Database.instanceSecret("webhook_key", user);
        // Longer than DEPROVISIONING_REMOVAL_WAIT (5 s): the first attempt ends with the instance still listed.
        simulator.setRemovalDelay(Duration.ofSeconds(8));

        assertThat(delete("/api/profiles/me", env.tokens().user(user)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                ((Number) Database.queueRow(user).get("unavailable_attempts")).intValue() >= 1);
        assertThat(simulator.stateOf(name)).as("Evolution still removing it").isPresent();
        assertThat(Database.queueRow(user).get("last_error").toString()).contains("still lists it");
        assertThat(Database.count("SELECT count(*) FROM profiles WHERE id = ?", user)).isEqualTo(1);
        Api.Reply tooEarly = users.signUp(user);
        assertThat(tooEarly.status()).as(tooEarly.body()).isEqualTo(409);
        assertThat(tooEarly.json().getString("error")).isEqualTo("deletion_pending");

        assertThat(awaitDeleted("/api/profiles/me", env.tokens().user(user))).last().isEqualTo(204);
        assertThat(simulator.stateOf(name)).isEmpty();
        assertNothingLeft(user, name);

        assertThat(users.signUp(user).status()).isEqualTo(201);
        users.awaitStatus(user, "completed");
        List<RecordedCall> creates = simulator.calls().stream()
                .filter(call -> call.path().equals("/instance/create") && call.requestBody().contains(name)).toList();
        assertThat(creates).extracting(RecordedCall::status).as("created twice, never adopted from a 403").containsExactly(201, 201);
        Map<String, Object> after = Database.row(
                "SELECT evolution_instance_id FROM evolution_instances WHERE user_id = ?", user).orElseThrow();
        assertThat(after.get("evolution_instance_id")).isNotNull().isNotEqualTo(before.get("evolution_instance_id"));
        assertThat(Database.instanceSecret("webhook_key", user)).isNotEqualTo(keyBefore);
        assertThat(simulator.webhookOf(name).orElseThrow().getJsonObject("headers").getString("jwt_key"))
                .isEqualTo(Database.instanceSecret("webhook_key", user));
        Api.Reply connect = api.post("/api/instances/me/connect", env.tokens().user(user), "{}");
        assertThat(connect.status()).as(connect.body()).isEqualTo(200);
        assertThat(connect.json().getString("state")).isEqualTo("connecting");
        assertThat(Database.queueRow(user)).containsEntry("operation", "provision").containsEntry("status", "completed");
    }

    @Test
    void aDeletionDuringAProvisioningAttemptWaitsForItThenRemovesWhatItCreated() throws Exception {
        simulator.setLatencyMillis(1500);
        UUID user = users.signUpNew();
        String name = Users.instanceNameOf(user);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                "processing".equals(Database.queueRow(user).get("status")));

        Api.Reply deletion = delete("/api/profiles/me", env.tokens().user(user));

        assertThat(deletion.status()).as(deletion.body()).isEqualTo(202);
        assertThat(deletion.json().getString("status")).as("the provisioning attempt keeps the row").isEqualTo("processing");
        assertThat(awaitDeleted("/api/profiles/me", env.tokens().user(user))).last().isEqualTo(204);
        simulator.setLatencyMillis(0);
        List<String> sequence = simulator.calls().stream()
                .filter(call -> call.path().endsWith("/" + name) || call.requestBody() != null && call.requestBody().contains(name))
                .map(call -> call.method() + " " + call.path()).toList();
        // the provisioning attempt ran to its end (create, webhook read back), and only then did the deletion start
        assertThat(sequence).as(sequence.toString()).startsWith("POST /instance/create")
                .endsWith("DELETE /instance/logout/" + name, "DELETE /instance/delete/" + name)
                .containsOnlyOnce("POST /instance/create", "DELETE /instance/delete/" + name);
        assertThat(simulator.stateOf(name)).as("nothing created it again").isEmpty();
        assertNothingLeft(user, name);
    }

    @Test
    void theServiceRoleDeletesAnyoneAndAUserOnlyThemself() throws Exception {
        UUID target = provisionedWithTraffic();
        UUID other = users.signUpNew();
        users.awaitStatus(other, "completed");
        String targetName = Users.instanceNameOf(target);

        Api.Reply byOther = delete("/api/admin/users/" + target, env.tokens().user(other));
        assertThat(byOther.status()).as(byOther.body()).isEqualTo(403);
        Thread.sleep(1000); // nothing may start
        assertThat(Database.queueRow(target)).containsEntry("operation", "provision").containsEntry("status", "completed");
        assertThat(evolutionCallsOn(targetName)).filteredOn(call -> call.method().equals("DELETE")).isEmpty();

        Api.Reply byServiceRole = delete("/api/admin/users/" + target, env.tokens().serviceRole());
        assertThat(byServiceRole.status()).as(byServiceRole.body()).isEqualTo(202);
        assertThat(byServiceRole.raw().headers().firstValue("Location").orElseThrow()).endsWith("/api/instances/" + target);
        assertThat(awaitDeleted("/api/admin/users/" + target, env.tokens().serviceRole())).last().isEqualTo(204);
        assertNothingLeft(target, targetName);
        assertThat(Database.queueRow(other)).containsEntry("operation", "provision").containsEntry("status", "completed");
        assertThat(simulator.stateOf(Users.instanceNameOf(other))).isPresent();
    }

    @Test
    void aMalformedUserIdIs400NoTokenIs401AndSomeoneWhoNeverSignedUpIs204() {
        Api.Reply malformed = delete("/api/admin/users/not-a-uuid", env.tokens().serviceRole());
        assertThat(malformed.status()).as(malformed.body()).isEqualTo(400);
        assertThat(malformed.json().getString("error")).isEqualTo("bad_request");

        assertThat(delete("/api/profiles/me", null).status()).as("no token").isEqualTo(401);
        assertThat(delete("/api/admin/users/" + UUID.randomUUID(), env.tokens().serviceRole()).status()).isEqualTo(204);
        assertThat(delete("/api/profiles/me", env.tokens().user(UUID.randomUUID())).status()).isEqualTo(204);
        assertThat(simulator.calls()).as("nothing to ask Evolution")
                .noneMatch(call -> call.method().equals("DELETE") || call.path().equals("/instance/fetchInstances"));
    }

    /**
     * A completed user whose phone is paired, with something in each of the webhook tables: two stored events (the
     * pairing's connection.update and a message), one connection state, one message.
     */
    private UUID provisionedWithTraffic() throws Exception {
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String name = Users.instanceNameOf(user);
        simulator.pair(name, WUID);
        JsonObject message = Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "MSG-" + user).add("remoteJid", WUID).add("fromMe", false))
                .add("message", Json.createObjectBuilder().add("conversation", "hello"))
                .add("messageType", "conversation")
                .add("messageTimestamp", System.currentTimeMillis() / 1000)
                .add("status", "DELIVERY_ACK")
                .build();
        assertThat(simulator.deliver(name, "messages.upsert", message).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(countsOf(user, name))
                .containsEntry("webhook_events", 2L).containsEntry("evolution_messages", 1L)
                .containsEntry("instance_connection_history", 1L));
        return user;
    }

    private Map<String, Long> countsOf(UUID user, String name) throws Exception {
        return Map.of(
                "profiles", Database.count("SELECT count(*) FROM profiles WHERE id = ?", user),
                "evolution_instance_creation_queue",
                Database.count("SELECT count(*) FROM evolution_instance_creation_queue WHERE user_id = ?", user),
                "evolution_instances", Database.count("SELECT count(*) FROM evolution_instances WHERE user_id = ? "
                        + "OR instance_name = ?", user, name),
                "webhook_events", Database.count("SELECT count(*) FROM webhook_events WHERE instance_name = ?", name),
                "evolution_messages", Database.count("SELECT count(*) FROM evolution_messages WHERE instance_name = ?", name),
                "instance_connection_history",
                Database.count("SELECT count(*) FROM instance_connection_history WHERE instance_name = ?", name));
    }

    private void assertNothingLeft(UUID user, String name) throws Exception {
        assertThat(countsOf(user, name)).allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
    }

    private Api.Reply delete(String path, String token) {
        return api.send(api.request(path, token).DELETE().build());
    }

    /** Repeats the deletion until it answers 204; returns every answer's status (all 202 before the last). */
    private List<Integer> awaitDeleted(String path, String token) {
        List<Integer> answers = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            answers.add(delete(path, token).status());
            return answers.get(answers.size() - 1) != 202;
        });
        return answers;
    }

    /** The simulator's calls on the instance's own routes (logout, delete, connect, webhook, …), in order. */
    private List<RecordedCall> evolutionCallsOn(String name) {
        return simulator.calls().stream().filter(call -> call.path().endsWith("/" + name)).toList();
    }

    /** The sum of a counter's series at /metrics (0 before its first increment). */
    private double metric(String name) {
        Matcher matcher = Pattern.compile("(?m)^\\w*" + name + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(api.get("/metrics", null).body());
        double sum = 0;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(1));
        }
        return sum;
    }
}
