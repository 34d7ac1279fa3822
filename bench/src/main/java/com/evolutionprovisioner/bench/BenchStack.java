package com.evolutionprovisioner.bench;

import com.evolutionprovisioner.devstack.DevSecrets;
import com.evolutionprovisioner.devstack.DevTokens;
import com.evolutionprovisioner.devstack.EmbeddedBroker;
import com.evolutionprovisioner.devstack.EmbeddedPostgresServer;
import com.evolutionprovisioner.devstack.LocalMachine;
import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The real parts a benchmark runs against — PostgreSQL, Artemis, the simulator and N Payara Micro nodes — on 127.0.0.1. */
final class BenchStack implements AutoCloseable {

    /** New for each run: the service refuses published secrets. */
    private static final DevSecrets RANDOM_SECRETS = DevSecrets.random();
    static final SecretCipher SECRETS = new SecretCipher(java.util.Base64.getDecoder().decode(RANDOM_SECRETS.secretsKey()), null, () -> false);
    private static final List<Logger> QUIET = List.of(Logger.getLogger("io.zonky"), Logger.getLogger("org.apache.activemq"));

    final EmbeddedPostgresServer postgres;
    final EmbeddedBroker broker;
    final EvolutionApiSimulator simulator;
    /** The pool's other servers (none unless asked for), registered through the admin API like an operator would. */
    final List<EvolutionApiSimulator> otherServers = new ArrayList<>();
    final List<PayaraMicroProcess> nodes = new ArrayList<>();
    final DevTokens tokens = new DevTokens(RANDOM_SECRETS.jwtSecret());
    /** PostgreSQL's commit durability as the service's own login sees it, printed with every result. */
    final String durability;

    BenchStack(int nodeCount, int concurrency) throws Exception {
        this(nodeCount, concurrency, 1, 1000);
    }

    /** With {@code servers} simulated Evolution servers in the pool, each of {@code capacity} instances. */
    BenchStack(int nodeCount, int concurrency, int servers, int capacity) throws Exception {
        QUIET.forEach(logger -> logger.setLevel(Level.WARNING));
        Path target = Path.of("target").toAbsolutePath();
        Path data = target.resolve("bench-data");
        if (Files.exists(data)) {
            try (var paths = Files.walk(data)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        // zonky's default is synchronous_commit=off: a 2xx would not mean "on disk". Set durable, then verified below.
        postgres = EmbeddedPostgresServer.start(0, data.resolve("pgdata"), Map.of("synchronous_commit", "on", "fsync", "on"));
        durability = durability();
        if (!durability.startsWith("synchronous_commit=on fsync=on")) {
            throw new IllegalStateException("the benchmark needs durable commits, PostgreSQL has " + durability);
        }
        broker = EmbeddedBroker.start(0, "bench", "bench", data.resolve("artemis"));
        simulator = EvolutionApiSimulator.start(0, "bench-key");
        int firstPort = LocalMachine.freePort();
        for (int i = 0; i < nodeCount; i++) {
            int port = i == 0 ? firstPort : LocalMachine.freePort();
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("db.url", postgres.jdbcUrl());
            settings.put("db.user", EmbeddedPostgresServer.APP_USER);
            settings.put("db.password", EmbeddedPostgresServer.APP_PASSWORD);
            settings.put("db.migration.user", EmbeddedPostgresServer.OWNER);
            settings.put("db.migration.password", EmbeddedPostgresServer.OWNER_PASSWORD);
            settings.put("artemis.connection.parameters", "host=127.0.0.1;port=" + broker.port());
            settings.put("artemis.user", "bench");
            settings.put("artemis.password", "bench");
            settings.put("evolution.api.base.url", simulator.baseUrl());
            settings.put("evolution.api.key", "bench-key");
            settings.put("evolution.max.concurrency", Integer.toString(concurrency));
            settings.put("provisioning.workers", Integer.toString(2 * concurrency)); // the shipped ratio, 16 to 8
            settings.put("webhook.apply.workers", "4");
            settings.put("evolution.api.server.capacity", Integer.toString(capacity));
            settings.put("public.base.url", "http://127.0.0.1:" + firstPort);
            settings.put("jwt.secret", RANDOM_SECRETS.jwtSecret());
            // Like command 1: http on 127.0.0.1 and tokens without iss/aud; the code paths measured are the same.
            settings.put("development.mode", "true");
            settings.put("queue.poll.interval", "5s");
            settings.put("provisioner.node.id", "bench-node-" + (i + 1));
            settings.put("secrets.key", RANDOM_SECRETS.secretsKey());
            nodes.add(PayaraMicroProcess.start(target, "bench-node-" + (i + 1), port, settings));
        }
        for (PayaraMicroProcess node : nodes) {
            node.awaitReady(Duration.ofMinutes(3));
        }
        for (int i = 2; i <= servers; i++) {
            EvolutionApiSimulator server = EvolutionApiSimulator.start(0, "bench-key-" + i);
            otherServers.add(server);
            addServer("server-" + i, server.baseUrl(), "bench-key-" + i, capacity);
        }
    }

    /** Every simulated server: the seed first. */
    List<EvolutionApiSimulator> servers() {
        List<EvolutionApiSimulator> all = new ArrayList<>(List.of(simulator));
        all.addAll(otherServers);
        return all;
    }

    /** Evolution calls received by every server so far. */
    int evolutionCalls() {
        return servers().stream().mapToInt(server -> server.calls().size()).sum();
    }

    private void addServer(String name, String baseUrl, String apiKey, int capacity) throws Exception {
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(nodes.get(0).baseUrl() + "/api/admin/evolution-servers"))
                        .header("Authorization", "Bearer " + tokens.serviceRole())
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"baseUrl\":\""
                                + baseUrl + "\",\"apiKey\":\"" + apiKey + "\",\"capacity\":" + capacity + "}"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 201) {
            throw new IllegalStateException("adding Evolution server " + name + ": HTTP " + answer.statusCode() + " " + answer.body());
        }
    }

    private String durability() throws Exception {
        try (Connection connection = postgres.connect(EmbeddedPostgresServer.DATABASE, EmbeddedPostgresServer.APP_USER,
                EmbeddedPostgresServer.APP_PASSWORD); Statement sql = connection.createStatement();
             ResultSet row = sql.executeQuery("SELECT current_setting('synchronous_commit'), current_setting('fsync'),"
                     + " current_setting('wal_sync_method'), version()")) {
            row.next();
            return "synchronous_commit=" + row.getString(1) + " fsync=" + row.getString(2) + " wal_sync_method="
                    + row.getString(3) + " (" + row.getString(4).split(",")[0] + ")";
        }
    }

    /** CPU time (user + system) the node's process has used so far, in milliseconds, from /proc. */
    static long cpuMillis(PayaraMicroProcess node) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(node.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15 of stat)
        return ticks * 1000 / 100; // USER_HZ is 100 on Linux
    }

    Connection database() throws Exception {
        return postgres.connectAsOwner();
    }

    @Override
    public void close() throws Exception {
        for (PayaraMicroProcess node : nodes) {
            node.close();
        }
        simulator.close();
        for (EvolutionApiSimulator server : otherServers) {
            server.close();
        }
        broker.close();
        postgres.close();
    }

    /** The value at quantile q (0..1) of sorted values. */
    static double quantile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
