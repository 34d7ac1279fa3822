package com.evolutionprovisioner.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.devstack.EmbeddedPostgresServer;
import com.evolutionprovisioner.devstack.LocalMachine;
import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.EventStreamClient;
import com.evolutionprovisioner.testsupport.EventStreamClient.Item;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import com.evolutionprovisioner.testsupport.Users;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The owner's event stream across two nodes on one database and broker: Evolution delivers to node A, the owner
 * listens on node B (through a ticket, as a browser's EventSource does), and a resume with Last-Event-ID gets exactly
 * what it missed. Also the heartbeat, bad tickets, another user's stream and the per-user stream limit.
 */
class InstanceEventsIT {

    private static final String WUID = "5511987654321@s.whatsapp.net";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static TestEnvironment.Running env;
    private static PayaraMicroProcess nodeA;
    private static PayaraMicroProcess nodeB;
    private static Api apiA;
    private static Api apiB;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        env = TestEnvironment.get();
        int portA = LocalMachine.freePort();
        int portB = LocalMachine.freePort();
        String publicUrl = "http://127.0.0.1:" + portA; // Evolution's webhooks go to node A
        nodeA = PayaraMicroProcess.start(env.buildDirectory(), "events-a", portA, settings("events-a", publicUrl));
        nodeB = PayaraMicroProcess.start(env.buildDirectory(), "events-b", portB, settings("events-b", publicUrl));
        nodeA.awaitReady(Duration.ofMinutes(3));
        nodeB.awaitReady(Duration.ofMinutes(3));
        apiA = new Api(nodeA.baseUrl());
        apiB = new Api(nodeB.baseUrl());
    }

    private static Map<String, String> settings(String nodeId, String publicUrl) {
        Map<String, String> settings = env.nodeSettings(nodeId, publicUrl);
        settings.put("event.stream.heartbeat", "1s");
        settings.put("event.streams.per.user", "2");
        return settings;
    }

    @AfterAll
    static void stopNodes() throws Exception {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
    }

    @Test
    void webhooksAppliedOnNodeAReachAStreamOnNodeBAndAResumeGetsExactlyTheMissedEvents() throws Exception {
        env.simulator().reset();
        Users users = new Users(apiA, env);
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");
        String name = Users.instanceNameOf(user);
        assertThat(env.simulator().stateOf(name)).as("create asked for a QR code").contains("connecting");

        List<Item> seen = new ArrayList<>();
        try (EventStreamClient stream = EventStreamClient.open(apiB.request("/api/instances/me/events?ticket="
                + ticket(apiA, user), null))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");

            List<Item> currentState = currentStateOf(user);
            assertThat(stream.events(currentState.size(), WAIT)).as("the current state comes first").isEqualTo(currentState);
            long stateId = Long.parseLong(currentState.get(0).id());

            env.simulator().refreshQr(name); // delivered to node A
            Item qrCode = stream.events(1, WAIT).get(0);
            String storedCode = (String) Database.row("SELECT qr_code FROM evolution_instances WHERE user_id = ?", user)
                    .orElseThrow().get("qr_code");
            assertThat(storedCode).startsWith("data:image/png;base64,");
            assertThat(qrCode.type()).isEqualTo("qrcode");
            assertThat(qrCode.json()).isEqualTo(Json.createObjectBuilder().add("qrCode", storedCode).build());

            env.simulator().pair(name, WUID);
            Item connection = stream.events(1, WAIT).get(0);
            assertThat(connection.type()).isEqualTo("connection");
            assertThat(connection.json()).isEqualTo(Json.createObjectBuilder().add("state", "open").build());

            seen.add(qrCode);
            seen.add(connection);
            assertThat(seen).as("what was sent is what was stored, with its ids").isEqualTo(storedEventsAfter(user, stateId));
        }
        long lastSeen = Long.parseLong(seen.get(1).id());

        // Missed while disconnected: a close, a new session (connecting) and its first QR code, each applied before the
        // next. The simulator's refreshQr shows the same PNG every time, which is no change: this code is another.
        String newCode = "data:image/png;base64,bmV3IGNvZGU=";
        env.simulator().deliver(name, "connection.update", Json.createObjectBuilder()
                .add("instance", name).add("state", "close").add("statusReason", 401).build());
        awaitConnectionState(user, "close");
        env.simulator().deliver(name, "connection.update", Json.createObjectBuilder()
                .add("instance", name).add("state", "connecting").add("statusReason", 200).build());
        awaitConnectionState(user, "connecting");
        env.simulator().deliver(name, "qrcode.updated", Json.createObjectBuilder().add("qrcode", Json.createObjectBuilder()
                .add("instance", name).add("code", "2@new-session").add("base64", newCode)).build());
        List<Item> missed = await().atMost(WAIT).until(() -> storedEventsAfter(user, lastSeen), events -> events.size() == 3);
        assertThat(missed).extracting(Item::type).containsExactly("connection", "connection", "qrcode");
        assertThat(missed.get(0).json().getString("state")).isEqualTo("close");
        assertThat(missed.get(1).json().getString("state")).isEqualTo("connecting");
        assertThat(missed.get(2).json()).isEqualTo(Json.createObjectBuilder().add("qrCode", newCode).build());

        try (EventStreamClient resumed = EventStreamClient.open(apiB.request("/api/instances/me/events?ticket="
                + ticket(apiB, user), null).header("Last-Event-ID", Long.toString(lastSeen)))) {
            assertThat(resumed.status()).isEqualTo(200);
            assertThat(resumed.events(3, WAIT)).isEqualTo(missed);
            Item after = resumed.next(Duration.ofSeconds(5));
            assertThat(after).as("nothing but the missed events, then a heartbeat").isNotNull();
            assertThat(after.isComment()).as(after.toString()).isTrue();
        }
        // A new EventSource (its ticket expired) says where it stopped as a query parameter.
        try (EventStreamClient reopened = EventStreamClient.open(apiA.request("/api/instances/me/events?ticket="
                + ticket(apiA, user) + "&lastEventId=" + lastSeen, null))) {
            assertThat(reopened.events(3, WAIT)).isEqualTo(missed);
        }
    }

    @Test
    void aNodeWhoseListeningConnectionDiesCatchesUpOnTheEventsItMissed() throws Exception {
        env.simulator().reset();
        Users users = new Users(apiA, env);
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");

        try (EventStreamClient stream = EventStreamClient.open(apiB.request("/api/instances/me/events", env.tokens().user(user)))) {
            List<Item> currentState = currentStateOf(user);
            assertThat(stream.events(currentState.size(), WAIT)).isEqualTo(currentState);
            long stateId = Long.parseLong(currentState.get(0).id());

            try (Connection superuser = env.postgres().connectAsSuperuser(EmbeddedPostgresServer.DATABASE);
                 ResultSet killed = superuser.createStatement().executeQuery(
                         "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN owner_events'")) {
                int listeners = 0;
                while (killed.next()) {
                    assertThat(killed.getBoolean(1)).isTrue();
                    listeners++;
                }
                assertThat(listeners).as("one listening connection per node").isEqualTo(2);
            }
            // Committed while the nodes wait before connecting again: no NOTIFY reaches them.
            Database.update("UPDATE evolution_instances SET connection_state = 'close' WHERE user_id = ?", user);

            List<Item> missed = storedEventsAfter(user, stateId);
            assertThat(missed).extracting(Item::type).containsExactly("connection");
            assertThat(stream.events(1, WAIT)).isEqualTo(missed);
        }
    }

    @Test
    void heartbeatsTicketsOnlyWhereAcceptedAnotherUsersStreamAndTheStreamLimit() throws Exception {
        Users users = new Users(apiA, env);
        UUID user = users.signUpNew();
        UUID other = users.signUpNew();
        String token = env.tokens().user(user);

        try (EventStreamClient first = EventStreamClient.open(apiB.request("/api/instances/me/events", token));
             EventStreamClient forService = EventStreamClient.open(
                     apiA.request("/api/instances/" + user + "/events", env.tokens().serviceRole()))) {
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.events(1, WAIT).get(0).type()).as("the current state starts with the status").isEqualTo("status");
            assertThat(nextComment(first)).isEqualTo("heartbeat");
            assertThat(forService.status()).isEqualTo(200);
            assertThat(forService.events(1, WAIT).get(0).type()).isEqualTo("status");

            // EVENT_STREAMS_PER_USER is 2 on these nodes, counted per node: node A already holds the service role's.
            try (EventStreamClient third = EventStreamClient.open(apiA.request("/api/instances/me/events", token))) {
                assertThat(third.status()).isEqualTo(200);
                try (EventStreamClient fourth = EventStreamClient.open(apiA.request("/api/instances/me/events", token))) {
                    assertThat(fourth.status()).isEqualTo(429);
                    assertThat(fourth.errorJson().getString("error")).isEqualTo("too_many_requests");
                }
            }
        }

        String ticket = ticket(apiA, user);
        String tampered = ticket.substring(0, ticket.length() - 2) + (ticket.endsWith("AA") ? "BB" : "AA");
        for (String refused : List.of(tampered, token, "e1." + user + ".9999999999.forged")) {
            try (EventStreamClient stream = EventStreamClient.open(apiB.request("/api/instances/me/events?ticket=" + refused, null))) {
                assertThat(stream.status()).as(refused).isEqualTo(401);
                assertThat(stream.errorJson().getString("error")).isEqualTo("unauthorized");
            }
        }
        assertThat(apiB.get("/api/instances/me?ticket=" + ticket, null).status())
                .as("a ticket opens the event stream and nothing else").isEqualTo(401);

        try (EventStreamClient othersStream = EventStreamClient.open(apiB.request("/api/instances/" + other + "/events", token))) {
            assertThat(othersStream.status()).isEqualTo(404);
            assertThat(othersStream.errorJson().getString("error")).isEqualTo("not_found");
        }
        try (EventStreamClient ownByTicket = EventStreamClient.open(apiB.request("/api/instances/" + user + "/events?ticket=" + ticket, null))) {
            assertThat(ownByTicket.status()).isEqualTo(200);
        }
    }

    private static String ticket(Api api, UUID user) {
        Api.Reply reply = api.post("/api/instances/me/events/tickets", env.tokens().user(user), "");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        Instant expiresAt = Instant.parse(reply.json().getString("expiresAt"));
        assertThat(expiresAt).isBetween(Instant.now().plusSeconds(50), Instant.now().plusSeconds(61));
        return reply.json().getString("ticket");
    }

    private static String nextComment(EventStreamClient stream) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            Item item = stream.next(Duration.ofMillis(500));
            if (item != null && item.isComment()) {
                return item.comment();
            }
        }
        throw new AssertionError("no heartbeat within 5 s");
    }

    private static void awaitConnectionState(UUID user, String state) {
        await().atMost(WAIT).until(() -> state.equals(Database.row(
                "SELECT connection_state FROM evolution_instances WHERE user_id = ?", user).orElseThrow().get("connection_state")));
    }

    /** The state a new stream starts with, read from the tables: each event with the id of the user's latest event. */
    private static List<Item> currentStateOf(UUID user) throws Exception {
        Map<String, Object> row = Database.row("""
                SELECT q.status, q.last_error_code, i.qr_code, i.qr_code_count, i.connection_state,
                       (SELECT coalesce(max(id), 0) FROM owner_events WHERE user_id = q.user_id) AS latest_id
                  FROM evolution_instance_creation_queue q JOIN evolution_instances i USING (user_id)
                 WHERE q.user_id = ?""", user).orElseThrow();
        String id = row.get("latest_id").toString();
        assertThat(row.get("last_error_code")).isNull();
        List<Item> state = new ArrayList<>();
        state.add(event(id, "status", Json.createObjectBuilder().add("status", (String) row.get("status")).build()));
        if (row.get("qr_code") != null) {
            var qr = Json.createObjectBuilder().add("qrCode", (String) row.get("qr_code"));
            if ((Integer) row.get("qr_code_count") > 0) {
                qr.add("count", (Integer) row.get("qr_code_count"));
            }
            state.add(event(id, "qrcode", qr.build()));
        }
        if (row.get("connection_state") != null) {
            state.add(event(id, "connection", Json.createObjectBuilder().add("state", (String) row.get("connection_state")).build()));
        }
        return state;
    }

    private static List<Item> storedEventsAfter(UUID user, long afterId) throws Exception {
        List<Item> events = new ArrayList<>();
        try (Connection connection = Database.connect();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT id, type, data::text FROM owner_events WHERE user_id = ? AND id > ? ORDER BY id")) {
            statement.setObject(1, user);
            statement.setLong(2, afterId);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    events.add(new Item(Long.toString(row.getLong(1)), row.getString(2), row.getString(3), null));
                }
            }
        }
        return events;
    }

    private static Item event(String id, String type, JsonObject data) {
        return new Item(id, type, data.toString(), null);
    }
}
