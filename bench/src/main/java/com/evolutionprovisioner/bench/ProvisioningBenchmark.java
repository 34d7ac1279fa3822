package com.evolutionprovisioner.bench;

import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A burst of signups against the simulator at a fixed latency per Evolution call, on one or more nodes:
 * signup → completed p50/p99 (from the queue rows' own timestamps), drain throughput, and how close that comes to
 * the bulkhead's limit (nodes × EVOLUTION_MAX_CONCURRENCY ÷ Evolution time per user).
 *
 * <p>Arguments: {@code users nodes latencyMs concurrency}, default {@code 1000 1 50 8}.
 */
public final class ProvisioningBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("idle")) {
            idle();
            return;
        }
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int nodeCount = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int latencyMs = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        try (BenchStack stack = new BenchStack(nodeCount, concurrency)) {
            stack.simulator.setLatencyMillis(latencyMs);
            warmUp(stack);
            int callsBefore = stack.simulator.calls().size();

            long cpuBefore = stack.nodes.stream().mapToLong(ProvisioningBenchmark::cpuMillis).sum();
            long started = System.nanoTime();
            List<UUID> signedUp = signUp(stack, users);
            double signupSeconds = (System.nanoTime() - started) / 1e9;
            awaitAllCompleted(stack, signedUp);
            double drainSeconds = (System.nanoTime() - started) / 1e9;
            long cpuMillis = stack.nodes.stream().mapToLong(ProvisioningBenchmark::cpuMillis).sum() - cpuBefore;

            List<Double> latencies = completionLatencies(stack, signedUp);
            double callsPerUser = (double) (stack.simulator.calls().size() - callsBefore) / users;
            double limit = nodeCount * concurrency / (callsPerUser * latencyMs / 1000.0);
            double throughput = users / drainSeconds;
        System.out.printf("%nPROVISIONING BENCHMARK  users=%d nodes=%d latency=%d ms/call concurrency=%d/node; PostgreSQL %s%n",
                    users, nodeCount, latencyMs, concurrency, stack.durability);
            System.out.printf("  signups accepted in      %.1f s (%.0f signups/s)%n", signupSeconds, users / signupSeconds);
            System.out.printf("  all completed after      %.1f s%n", drainSeconds);
            System.out.printf("  signup -> completed      p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                    BenchStack.quantile(latencies, 0.5), BenchStack.quantile(latencies, 0.99), latencies.get(latencies.size() - 1));
            System.out.printf("  drain throughput         %.1f users/s%n", throughput);
            System.out.printf("  server CPU per user       %.1f ms (all nodes' process CPU over the run / users)%n",
                    (double) cpuMillis / users);
            System.out.printf("  Evolution calls per user %.2f -> bulkhead limit %.1f users/s; reached %.0f %%%n",
                    callsPerUser, limit, 100 * throughput / limit);
        }
    }

    /**
     * One signup at a time on an otherwise idle node, simulator at 0 ms: where the time between signup and
     * completed goes, from the queue row's own timestamps (created, claimed by a worker, completed).
     */
    private static void idle() throws Exception {
        try (BenchStack stack = new BenchStack(1, 8)) {
            stack.simulator.setLatencyMillis(0);
            warmUp(stack);
            System.out.printf("%nIDLE SIGNUPS  one at a time, simulator at 0 ms; PostgreSQL %s%n", stack.durability);
            List<Double> totals = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Thread.sleep(1000);
                UUID user = signUp(stack, 1).get(0);
                awaitAllCompleted(stack, List.of(user));
                try (Connection connection = stack.database();
                     PreparedStatement query = connection.prepareStatement("""
                             SELECT extract(EPOCH FROM processing_started_at - created_at) * 1000,
                                    extract(EPOCH FROM completed_at - processing_started_at) * 1000,
                                    extract(EPOCH FROM completed_at - created_at) * 1000
                               FROM evolution_instance_creation_queue WHERE user_id = ?""")) {
                    query.setObject(1, user);
                    try (ResultSet row = query.executeQuery()) {
                        row.next();
                        totals.add(row.getDouble(3));
                        System.out.printf("  signup -> claimed %6.0f ms, claimed -> completed %6.0f ms, total %6.0f ms%n",
                                row.getDouble(1), row.getDouble(2), row.getDouble(3));
                    }
                }
            }
            totals.sort(null);
            System.out.printf("  signup -> completed p50 %.0f ms, max %.0f ms%n", BenchStack.quantile(totals, 0.5),
                    totals.get(totals.size() - 1));
        }
    }

    private static long cpuMillis(PayaraMicroProcess node) {
        try {
            return BenchStack.cpuMillis(node);
        } catch (Exception unreadable) {
            throw new IllegalStateException("cannot read the node's CPU time", unreadable);
        }
    }

    private static void warmUp(BenchStack stack) throws Exception {
        List<UUID> warm = signUp(stack, 20);
        awaitAllCompleted(stack, warm);
    }

    private static List<UUID> signUp(BenchStack stack, int count) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        ExecutorService clients = Executors.newFixedThreadPool(32);
        List<UUID> ids = new ArrayList<>();
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UUID user = UUID.randomUUID();
            ids.add(user);
            String base = stack.nodes.get(i % stack.nodes.size()).baseUrl();
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/profiles"))
                    .header("Authorization", "Bearer " + stack.tokens.user(user))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + user + "@bench.example\"}")).build();
            answers.add(clients.submit(() -> client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()));
        }
        for (Future<Integer> answer : answers) {
            if (answer.get() != 201) {
                throw new IllegalStateException("signup answered " + answer.get());
            }
        }
        clients.shutdown();
        return ids;
    }

    private static void awaitAllCompleted(BenchStack stack, List<UUID> users) throws Exception {
        String ids = String.join(",", users.stream().map(UUID::toString).toList());
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        try (Connection connection = stack.database();
             PreparedStatement remaining = connection.prepareStatement("""
                     SELECT count(*) FILTER (WHERE status <> 'completed'), count(*) FILTER (WHERE status = 'failed')
                       FROM evolution_instance_creation_queue WHERE user_id::text = ANY (string_to_array(?, ','))""")) {
            remaining.setString(1, ids);
            while (System.nanoTime() < deadline) {
                try (ResultSet row = remaining.executeQuery()) {
                    row.next();
                    if (row.getLong(2) > 0) {
                        throw new IllegalStateException(row.getLong(2) + " user(s) failed");
                    }
                    if (row.getLong(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("not all users completed within 15 minutes");
    }

    private static List<Double> completionLatencies(BenchStack stack, List<UUID> users) throws Exception {
        List<Double> latencies = new ArrayList<>();
        try (Connection connection = stack.database();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT extract(EPOCH FROM completed_at - created_at) * 1000 FROM evolution_instance_creation_queue
                      WHERE user_id::text = ANY (string_to_array(?, ',')) ORDER BY 1""")) {
            query.setString(1, String.join(",", users.stream().map(UUID::toString).toList()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    latencies.add(rows.getDouble(1));
                }
            }
        }
        return latencies;
    }
}
