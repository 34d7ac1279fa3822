package com.evolutionprovisioner.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.testsupport.Api.Reply;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Signs users up and follows their provisioning through the public API, as a client application would. */
public final class Users {

    private final Api api;
    private final TestEnvironment.Running env;

    public Users(Api api, TestEnvironment.Running env) {
        this.api = api;
        this.env = env;
    }

    public Reply signUp(UUID user) {
        return api.post("/api/profiles", env.tokens().user(user),
                "{\"email\":\"" + user + "@example.com\",\"fullName\":\"Test User\"}");
    }

    /** Signs {@code count} new users up concurrently (20 clients), through each node in turn; every one must get 201. */
    public static List<UUID> signUpConcurrently(int count, Users... nodes) throws Exception {
        List<UUID> signedUp = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(20);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                UUID user = UUID.randomUUID();
                signedUp.add(user);
                Users node = nodes[i % nodes.length];
                answers.add(clients.submit(() -> node.signUp(user).status()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(201);
            }
        } finally {
            clients.shutdown();
        }
        return signedUp;
    }

    public UUID signUpNew() {
        UUID user = UUID.randomUUID();
        assertThat(signUp(user).status()).isEqualTo(201);
        return user;
    }

    public JsonObject status(UUID user) {
        Reply reply = api.get("/api/instances/me", env.tokens().user(user));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    /** The user's status as the service role reads it: with the internal detail of the last failure. */
    public JsonObject statusSeenByServiceRole(UUID user) {
        Reply reply = api.get("/api/instances/" + user, env.tokens().serviceRole());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    public JsonObject awaitStatus(UUID user, String expected) {
        return awaitStatus(user, expected, Duration.ofSeconds(60));
    }

    public JsonObject awaitStatus(UUID user, String expected, Duration atMost) {
        JsonObject[] last = new JsonObject[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            last[0] = status(user);
            assertThat(last[0].getString("status")).as(last[0].toString()).isEqualTo(expected);
        });
        return last[0];
    }

    public static String instanceNameOf(UUID user) {
        return "evp-" + user;
    }
}
