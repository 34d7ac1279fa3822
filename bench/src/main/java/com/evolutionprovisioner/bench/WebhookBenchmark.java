package com.evolutionprovisioner.bench;

import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.security.SecretLocation;
import com.evolutionprovisioner.security.UserId;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Sustained authenticated webhook deliveries (each a distinct messages.update, signed like Evolution signs them)
 * from closed-loop clients: deliveries per second, p50/p99 latency, and rows counted afterwards (zero loss); then
 * the same load on an empty JAX-RS endpoint of the same server, the ceiling the receiver is compared with.
 *
 * <p>Arguments: {@code seconds clients instances}, default {@code 20 16 20}.
 */
public final class WebhookBenchmark {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int instanceCount = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        try (BenchStack stack = new BenchStack(1, 8)) {
            String base = stack.nodes.get(0).baseUrl();
            List<String[]> instances = provision(stack, instanceCount);
            AtomicLong sequence = new AtomicLong();
            IntFunction<HttpRequest> delivery = client -> {
                String[] instance = instances.get(client % instances.size());
                long n = sequence.incrementAndGet();
                String body = "{\"event\":\"messages.update\",\"instance\":\"" + instance[0] + "\",\"data\":{\"keyId\":\"BENCH-"
                        + n + "\",\"remoteJid\":\"5511999@s.whatsapp.net\",\"fromMe\":true,\"status\":\"DELIVERY_ACK\"},\"apikey\":null}";
                return HttpRequest.newBuilder(URI.create(base + "/api/webhooks/evolution"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + instance[1])
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            };
            IntFunction<HttpRequest> empty = client -> HttpRequest.newBuilder(URI.create(base + "/api/ping")).GET().build();

            run(seconds / 4, clients, delivery, 200); // warm-up
            run(seconds / 4, clients, empty, 204);
            long rowsBefore = count(stack, "SELECT count(*) FROM webhook_events");
            Result webhooks = run(seconds, clients, delivery, 200);
            long stored = count(stack, "SELECT count(*) FROM webhook_events") - rowsBefore;
            Result ceiling = run(seconds, clients, empty, 204);

            System.out.printf("%nWEBHOOK BENCHMARK  %d s, %d clients, %d instances%n", seconds, clients, instanceCount);
            System.out.printf("  authenticated deliveries %8.0f /s  p50 %.1f ms  p99 %.1f ms  errors %d  stored %d of %d (lost %d)%n",
                    webhooks.perSecond(), webhooks.p50(), webhooks.p99(), webhooks.errors, stored, webhooks.ok, webhooks.ok - stored);
            System.out.printf("  empty JAX-RS endpoint    %8.0f /s  p50 %.1f ms  p99 %.1f ms  errors %d%n",
                    ceiling.perSecond(), ceiling.p50(), ceiling.p99(), ceiling.errors);
            System.out.printf("  receiver / ceiling       %.0f %%%n", 100 * webhooks.perSecond() / ceiling.perSecond());
        }
    }

    record Result(long ok, long errors, double seconds, List<Double> latencies) {
        double perSecond() {
            return ok / seconds;
        }

        double p50() {
            return BenchStack.quantile(latencies, 0.5);
        }

        double p99() {
            return BenchStack.quantile(latencies, 0.99);
        }
    }

    private static Result run(int seconds, int clients, IntFunction<HttpRequest> request, int expectedStatus) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<long[]>> workers = new ArrayList<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            workers.add(pool.submit(() -> {
                long ok = 0;
                long errors = 0;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    int status = http.send(request.apply(client), HttpResponse.BodyHandlers.discarding()).statusCode();
                    latencies.add((System.nanoTime() - t0) / 1e6);
                    if (status == expectedStatus) {
                        ok++;
                    } else {
                        errors++;
                    }
                }
                return new long[] {ok, errors};
            }));
        }
        long ok = 0;
        long errors = 0;
        for (Future<long[]> worker : workers) {
            long[] counts = worker.get();
            ok += counts[0];
            errors += counts[1];
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(ok, errors, elapsed, sorted);
    }

    /** Provisions users and returns, per instance, its name and a delivery token signed with its key. */
    private static List<String[]> provision(BenchStack stack, int count) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = stack.nodes.get(0).baseUrl();
        for (int i = 0; i < count; i++) {
            UUID user = UUID.randomUUID();
            http.send(HttpRequest.newBuilder(URI.create(base + "/api/profiles"))
                    .header("Authorization", "Bearer " + stack.tokens.user(user)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());
        }
        List<String[]> instances = new ArrayList<>();
        while (instances.size() < count) {
            Thread.sleep(500);
            instances.clear();
            try (Connection connection = stack.database(); Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT instance_name, webhook_key, user_id FROM evolution_instances WHERE webhook_configured")) {
                while (rows.next()) {
                    SecretLocation where = EvolutionInstance.secretLocation(new UserId(rows.getObject(3, UUID.class)), EvolutionInstance.WEBHOOK_KEY);
                    instances.add(new String[] {rows.getString(1), token(BenchStack.SECRETS.decrypt(rows.getString(2), where))});
                }
            }
        }
        return instances;
    }

    private static String token(String key) throws Exception {
        Instant now = Instant.now();
        SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)))
                .claim("app", "evolution").claim("action", "webhook").build());
        token.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
        return token.serialize();
    }

    private static long count(BenchStack stack, String sql) throws Exception {
        try (Connection connection = stack.database(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
