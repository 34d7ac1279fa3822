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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Sustained authenticated webhook deliveries, driven by {@code wrk} (Debian's, at /usr/bin/wrk): each request a
 * distinct {@code messages.upsert} (a new message id), signed the way Evolution signs it with its instance's key.
 * Reports deliveries per second, p50/p99 latency, the rows counted afterwards against the 200s received (zero loss:
 * every 200 has its row, committed with {@code synchronous_commit=on}), and the server's CPU per delivery: during the
 * run, and until the applier has applied every stored event (it shares the node's CPU, so a backlog left after the
 * run is work the first figure misses). In the same
 * run and with the same wrk settings it measures the ceilings: {@code GET /api/ping} (an empty JAX-RS endpoint) and
 * {@code GET /health/live}.
 *
 * <p>Every wrk run gets its own prefix for the message ids ({@code wrk ... -- prefix}), so no run repeats another's.
 * wrk keeps {@code connections} requests in flight (each connection sends its next request when the previous is
 * answered); Debian's wrk has no constant-rate (wrk2) mode.
 *
 * <p>Arguments: {@code seconds connections instances}, default {@code 20 64 20}.
 */
public final class WebhookBenchmark {

    private static final String WRK = "/usr/bin/wrk";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int instanceCount = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        try (BenchStack stack = new BenchStack(1, 8)) {
            String base = stack.nodes.get(0).baseUrl();
            Path scripts = Path.of("target", "bench-data").toAbsolutePath();
            Path deliveries = writeDeliveryScript(scripts, provision(stack, instanceCount));
            Path summary = Files.writeString(scripts.resolve("summary.lua"), DONE);

            run(base + "/api/webhooks/evolution", deliveries, Math.max(3, seconds / 4), connections); // warm-up
            Result pingBefore = run(base + "/api/ping", summary, Math.max(3, seconds / 4), connections);
            long rowsBefore = count(stack, "SELECT count(*) FROM webhook_events");
            long cpuBefore = BenchStack.cpuMillis(stack.nodes.get(0));
            Result webhooks = run(base + "/api/webhooks/evolution", deliveries, seconds, connections);
            long cpuMillis = BenchStack.cpuMillis(stack.nodes.get(0)) - cpuBefore;
            Thread.sleep(2000); // answers wrk gave up on (timeouts) may still commit
            long stored = count(stack, "SELECT count(*) FROM webhook_events") - rowsBefore;
            long unappliedAtEnd = count(stack, UNAPPLIED);
            // The applier shares the node's CPU: a backlog left after the run is work the run's CPU figure missed.
            long drainStart = System.nanoTime();
            while (count(stack, UNAPPLIED) > 0 && System.nanoTime() - drainStart < 120_000_000_000L) {
                Thread.sleep(250);
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            long unappliedAfterDrain = count(stack, UNAPPLIED);
            long cpuWithApplication = BenchStack.cpuMillis(stack.nodes.get(0)) - cpuBefore;
            Result ping = run(base + "/api/ping", summary, seconds, connections);
            Result live = run(base + "/health/live", summary, seconds, connections);

            System.out.printf("%nWEBHOOK BENCHMARK  wrk -t2 -c%d -d%ds, %d instances; PostgreSQL %s%n",
                    connections, seconds, instanceCount, stack.durability);
            print("authenticated deliveries", webhooks);
            System.out.printf("  rows stored %d for %d answered 200 (lost %d); server CPU %.2f ms per delivery%n",
                    stored, webhooks.ok(), Math.max(0, webhooks.ok() - stored), (double) cpuMillis / webhooks.ok());
            System.out.printf("  not yet applied: %d rows 2 s after the run; %d after %.1f s more; server CPU %.2f ms per"
                            + " delivery until then (application included)%n",
                    unappliedAtEnd, unappliedAfterDrain, drainSeconds, (double) cpuWithApplication / webhooks.ok());
            print("empty JAX-RS GET /api/ping", ping);
            print("  the same, before the run", pingBefore);
            print("GET /health/live", live);
            System.out.printf("  deliveries / empty endpoint %.0f %%, deliveries / health %.0f %%%n",
                    100 * webhooks.perSecond() / ping.perSecond(), 100 * webhooks.perSecond() / live.perSecond());
        }
    }

    private static final String UNAPPLIED = "SELECT count(*) FROM webhook_events WHERE processed_at IS NULL";

    /** Requests answered 2xx/3xx, all errors (non-2xx answers, socket errors, timeouts) and wrk's latency quantiles. */
    record Result(long ok, long errors, double seconds, double p50, double p99, double max) {
        double perSecond() {
            return ok / seconds;
        }
    }

    private static void print(String label, Result result) {
        System.out.printf("  %-28s %8.0f /s  p50 %.1f ms  p99 %.1f ms  max %.1f ms  errors %d%n",
                label, result.perSecond(), result.p50(), result.p99(), result.max(), result.errors());
    }

    /** wrk's summary in one parsable line (latencies in microseconds; errors.status counts answers >= 400). */
    static final String DONE = """
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("WRK-RESULT %d %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
                e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
            end
            """;

    /** Each wrk thread numbers its requests; with the run's own prefix every delivery carries a new message id. */
    private static Path writeDeliveryScript(Path directory, List<String[]> instances) throws Exception {
        StringBuilder lua = new StringBuilder("local instances = {\n");
        for (String[] instance : instances) {
            lua.append("  {\"").append(instance[0]).append("\", \"Bearer ").append(instance[1]).append("\"},\n");
        }
        lua.append("}\n").append("""
                local run
                function init(args)
                  run = args[1]
                end
                local threads = 0
                function setup(thread)
                  threads = threads + 1
                  thread:set("tid", threads)
                end
                local counter = 0
                request = function()
                  counter = counter + 1
                  local instance = instances[(counter % #instances) + 1]
                  local body = '{"event":"messages.upsert","instance":"' .. instance[1] .. '","data":{"key":{"id":"'
                    .. run .. '-' .. tid .. '-' .. counter .. '","remoteJid":"5511999@s.whatsapp.net","fromMe":false},'
                    .. '"pushName":"Bench","message":{"conversation":"hello"},"messageType":"conversation",'
                    .. '"messageTimestamp":1764300000,"status":"DELIVERY_ACK"},"destination":"http://bench",'
                    .. '"sender":"5511999@s.whatsapp.net","server_url":"http://bench","apikey":null}'
                  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = instance[2]}, body)
                end
                """).append(DONE);
        return Files.writeString(directory.resolve("deliveries.lua"), lua);
    }

    static Result run(String url, Path script, int seconds, int connections) throws Exception {
        Process wrk = new ProcessBuilder(WRK, "-t2", "-c" + connections, "-d" + seconds + "s", "--timeout", "5s",
                "-s", script.toString(), url, "--", UUID.randomUUID().toString()).redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0 || !output.contains("WRK-RESULT ")) {
            throw new IllegalStateException("wrk failed: " + output);
        }
        String[] f = output.substring(output.indexOf("WRK-RESULT ") + 11).trim().split("\\s+");
        long requests = Long.parseLong(f[0]);
        long status = Long.parseLong(f[2]);
        long socketErrors = Long.parseLong(f[3]) + Long.parseLong(f[4]) + Long.parseLong(f[5]) + Long.parseLong(f[6]);
        return new Result(requests - status, status + socketErrors, Long.parseLong(f[1]) / 1e6,
                Long.parseLong(f[7]) / 1e3, Long.parseLong(f[8]) / 1e3, Long.parseLong(f[9]) / 1e3);
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
