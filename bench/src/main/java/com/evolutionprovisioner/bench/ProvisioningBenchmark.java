package com.evolutionprovisioner.bench;

import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * A burst of signups against the simulator at a fixed latency per Evolution call, on one or more nodes:
 * signup → completed p50/p99 (from the queue rows' own timestamps), drain throughput, and how close that comes to
 * the bulkhead's limit (nodes × EVOLUTION_MAX_CONCURRENCY ÷ Evolution time per user).
 *
 * <p>Arguments: {@code users nodes latencyMs concurrency}, default {@code 1000 1 50 8} (32 closed-loop clients);
 * {@code open rate seconds latencyMs concurrency}, e.g. {@code open 50 20 50 8} (50 signups/s for 20 s) or
 * {@code open 2000 1 50 8} (a burst of 2,000 within one second): signups sent on a fixed schedule whatever the
 * answers; {@code pool rate seconds latencyMs concurrency servers}, e.g. {@code pool 2000 1 50 8 2}: the same over a
 * pool of simulated Evolution servers, with the spread of the users over them; {@code idle}: single signups on an
 * idle node.
 */
public final class ProvisioningBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("idle")) {
            idle();
            return;
        }
        if (args.length > 0 && (args[0].equals("open") || args[0].equals("pool"))) {
            openLoop(args.length > 1 ? Integer.parseInt(args[1]) : 50, args.length > 2 ? Double.parseDouble(args[2]) : 20,
                    args.length > 3 ? Integer.parseInt(args[3]) : 50, args.length > 4 ? Integer.parseInt(args[4]) : 8,
                    args[0].equals("pool") ? (args.length > 5 ? Integer.parseInt(args[5]) : 2) : 1);
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

    /** How long a signup may go unanswered before it counts as lost, as in the burst. */
    private static final Duration SIGNUP_TIMEOUT = Duration.ofSeconds(15);

    /** One signup's fate: its HTTP status (0 when it failed or timed out) and its latency from its scheduled send. */
    private record Answer(int status, double millis, String failure) {
    }

    /**
     * Open loop: signup i is sent at {@code start + i / rate} by {@code HttpClient.sendAsync}, whether or not earlier
     * ones were answered, and its latency is counted from that scheduled moment (no coordinated omission). Then the
     * queue rows are awaited, and wrk measures the same node's {@code GET /api/ping} as the ceiling of this run.
     */
    private static void openLoop(int rate, double seconds, int latencyMs, int concurrency, int servers) throws Exception {
        int users = (int) Math.round(rate * seconds);
        // Room for every user on each server: the spread shows placement by free capacity, not a full pool.
        try (BenchStack stack = new BenchStack(1, concurrency, servers, users + WARM_UP_USERS)) {
            stack.servers().forEach(server -> server.setLatencyMillis(latencyMs));
            warmUp(stack);
            String base = stack.nodes.get(0).baseUrl();
            List<UUID> ids = new ArrayList<>();
            List<HttpRequest> requests = new ArrayList<>();
            for (int i = 0; i < users; i++) { // tokens signed before the clock starts
                UUID user = UUID.randomUUID();
                ids.add(user);
                requests.add(HttpRequest.newBuilder(URI.create(base + "/api/profiles")).timeout(SIGNUP_TIMEOUT)
                        .header("Authorization", "Bearer " + stack.tokens.user(user))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + user + "@bench.example\"}")).build());
            }
            // HTTP/1.1 as wrk speaks it (the JDK's default would first offer an h2c upgrade); one connection per request in flight.
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(SIGNUP_TIMEOUT).build();
            int callsBefore = stack.evolutionCalls();
            long cpuBefore = cpuMillis(stack.nodes.get(0));
            // A marker for whoever attaches a profiler (jcmd JFR.start) to the node for the measured part only.
            System.out.println("LOAD STARTS on node pid " + stack.nodes.get(0).pid());
            long periodNanos = Math.round(1e9 / rate);
            long start = System.nanoTime();
            List<CompletableFuture<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                long scheduled = start + i * periodNanos;
                while (System.nanoTime() < scheduled) {
                    LockSupport.parkNanos(scheduled - System.nanoTime());
                }
                answers.add(client.sendAsync(requests.get(i), HttpResponse.BodyHandlers.discarding())
                        .handle((response, failure) -> new Answer(response == null ? 0 : response.statusCode(),
                                (System.nanoTime() - scheduled) / 1e6,
                                failure == null ? null : rootCause(failure).getClass().getSimpleName())));
            }
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();

            List<Double> created = new ArrayList<>();
            Map<String, Integer> others = new TreeMap<>();
            for (CompletableFuture<Answer> future : answers) {
                Answer answer = future.join();
                if (answer.status() == 201) {
                    created.add(answer.millis());
                } else {
                    others.merge(answer.status() == 0 ? answer.failure() : "HTTP " + answer.status(), 1, Integer::sum);
                }
            }
            created.sort(null);
            Thread.sleep(2000); // signups the client gave up on may still commit
            Drain drain = awaitDrained(stack, ids);
            long cpuMillis = cpuMillis(stack.nodes.get(0)) - cpuBefore;
            double callsPerUser = (double) (stack.evolutionCalls() - callsBefore) / Math.max(1, drain.completed());
            // Each server has its own bulkhead of `concurrency` calls: the pool's combined limit.
            double limit = servers * concurrency / (callsPerUser * latencyMs / 1000.0);
            Map<String, Long> spread = spread(stack, ids);

            Path scripts = Path.of("target", "bench-data").toAbsolutePath();
            Path summary = Files.writeString(scripts.resolve("summary.lua"), WebhookBenchmark.DONE);
            WebhookBenchmark.Result ping = WebhookBenchmark.run(base + "/api/ping", summary, 10, 64);

            System.out.printf("%nPROVISIONING OPEN LOOP  %d signups at %d/s (sent over %.2f s, java.net.http sendAsync, "
                            + "timeout %d s), latency=%d ms/call concurrency=%d per server, %d server(s); PostgreSQL %s%n",
                    users, rate, sendSeconds, SIGNUP_TIMEOUT.toSeconds(), latencyMs, concurrency, servers, stack.durability);
            System.out.printf("  signup HTTP 201          %d of %d: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n", created.size(),
                    users, BenchStack.quantile(created, 0.5), BenchStack.quantile(created, 0.99),
                    created.isEmpty() ? Double.NaN : created.get(created.size() - 1));
            System.out.printf("  not 201                  %s%n", others.isEmpty() ? "none" : others);
            System.out.printf("  queue rows               %d, completed %d, failed %d, not finished %d%n", drain.rows(),
                    drain.completed(), drain.failed(), drain.rows() - drain.completed() - drain.failed());
            System.out.printf("  signup -> completed      p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                    BenchStack.quantile(drain.latencies(), 0.5), BenchStack.quantile(drain.latencies(), 0.99),
                    drain.latencies().isEmpty() ? Double.NaN : drain.latencies().get(drain.latencies().size() - 1));
            System.out.printf("  drain                    %.1f users/s (completed / (last completed_at - first created_at))%n",
                    drain.perSecond());
            System.out.printf("  Evolution calls per user %.2f -> bulkhead limit %.1f users/s (%d server(s) x %d calls); drain reached %.0f %%%n",
                    callsPerUser, limit, servers, concurrency, 100 * drain.perSecond() / limit);
            System.out.printf("  placed per server        %s%n", spread);
            System.out.printf("  server CPU per user      %.1f ms (process CPU from the first signup to the drain's end / completed)%n",
                    (double) cpuMillis / Math.max(1, drain.completed()));
            System.out.printf("  ceiling: wrk -t2 -c64 -d10s GET /api/ping, same node after the drain: %.0f /s, p50 %.1f ms, "
                    + "p99 %.1f ms, errors %d%n", ping.perSecond(), ping.p50(), ping.p99(), ping.errors());
        }
    }

    /** How many of the users' instances each server holds (evolution_placements). */
    private static Map<String, Long> spread(BenchStack stack, List<UUID> users) throws Exception {
        Map<String, Long> placed = new TreeMap<>();
        try (Connection connection = stack.database(); PreparedStatement query = connection.prepareStatement("""
                SELECT p.server_name, count(*) FROM evolution_placements p
                  JOIN evolution_instances i ON i.instance_name = p.instance_name
                 WHERE i.user_id::text = ANY (string_to_array(?, ',')) GROUP BY 1""")) {
            query.setString(1, String.join(",", users.stream().map(UUID::toString).toList()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    placed.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return placed;
    }

    private static Throwable rootCause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** The queue rows of the users sent, once none is pending any more (or after five minutes). */
    private record Drain(long rows, long completed, long failed, double perSecond, List<Double> latencies) {
    }

    private static Drain awaitDrained(BenchStack stack, List<UUID> users) throws Exception {
        String ids = String.join(",", users.stream().map(UUID::toString).toList());
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try (Connection connection = stack.database();
             PreparedStatement pending = connection.prepareStatement("""
                     SELECT count(*) FILTER (WHERE status NOT IN ('completed', 'failed'))
                       FROM evolution_instance_creation_queue WHERE user_id::text = ANY (string_to_array(?, ','))""");
             PreparedStatement summary = connection.prepareStatement("""
                     SELECT count(*), count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed'),
                            extract(EPOCH FROM max(completed_at) FILTER (WHERE status = 'completed') - min(created_at))
                       FROM evolution_instance_creation_queue WHERE user_id::text = ANY (string_to_array(?, ','))""");
             PreparedStatement latencies = connection.prepareStatement("""
                     SELECT extract(EPOCH FROM completed_at - created_at) * 1000 FROM evolution_instance_creation_queue
                      WHERE user_id::text = ANY (string_to_array(?, ',')) AND status = 'completed' ORDER BY 1""")) {
            pending.setString(1, ids);
            while (System.nanoTime() < deadline) {
                try (ResultSet row = pending.executeQuery()) {
                    row.next();
                    if (row.getLong(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
            summary.setString(1, ids);
            latencies.setString(1, ids);
            List<Double> millis = new ArrayList<>();
            try (ResultSet rows = latencies.executeQuery()) {
                while (rows.next()) {
                    millis.add(rows.getDouble(1));
                }
            }
            try (ResultSet row = summary.executeQuery()) {
                row.next();
                return new Drain(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(2) / row.getDouble(4), millis);
            }
        }
    }

    private static long cpuMillis(PayaraMicroProcess node) {
        try {
            return BenchStack.cpuMillis(node);
        } catch (Exception unreadable) {
            throw new IllegalStateException("cannot read the node's CPU time", unreadable);
        }
    }

    private static final int WARM_UP_USERS = 20;

    private static void warmUp(BenchStack stack) throws Exception {
        List<UUID> warm = signUp(stack, WARM_UP_USERS);
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
