package com.evolutionprovisioner.devstack;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Command 1 ({@code ./mvnw -Pdev}): the whole system on 127.0.0.1 — PostgreSQL, Artemis and the Evolution API
 * simulator embedded, unless the environment points at real ones — and Payara Micro running the RAR and the WAR.
 * Ctrl-C stops everything it started.
 */
public final class DevStack {

    private static final String DEV_EVOLUTION_KEY = "dev-evolution-key";
    private static final String DEV_ARTEMIS_USER = "provisioner";
    private static final String DEV_ARTEMIS_PASSWORD = "provisioner";

    /** The embedded servers' start-up chatter would bury the lines a developer needs (held: JUL keeps levels weakly). */
    private static final List<Logger> QUIET_LOGS = List.of(Logger.getLogger("io.zonky"), Logger.getLogger("org.apache.activemq"));

    private final List<AutoCloseable> started = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        QUIET_LOGS.forEach(logger -> logger.setLevel(Level.WARNING));
        new DevStack().run();
    }

    private void run() throws Exception {
        long startedAt = System.nanoTime();
        Path target = Path.of("target").toAbsolutePath();
        Path data = Files.createDirectories(target.resolve("devstack"));
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "dev-stack-shutdown"));

        Map<String, String> settings = new LinkedHashMap<>();
        int httpPort = Integer.parseInt(env("HTTP_PORT", "8080"));

        if (System.getenv("DB_URL") == null) {
            EmbeddedPostgresServer postgres = track(EmbeddedPostgresServer.start(0, data.resolve("pgdata")));
            settings.put("db.url", postgres.jdbcUrl());
            settings.put("db.user", EmbeddedPostgresServer.APP_USER);
            settings.put("db.password", EmbeddedPostgresServer.APP_PASSWORD);
            settings.put("db.migration.user", EmbeddedPostgresServer.OWNER);
            settings.put("db.migration.password", EmbeddedPostgresServer.OWNER_PASSWORD);
            say("PostgreSQL (embedded)   " + postgres.jdbcUrl() + "  (service as " + EmbeddedPostgresServer.APP_USER
                    + ", migrations as " + EmbeddedPostgresServer.OWNER + ")");
        } else {
            settings.put("db.url", System.getenv("DB_URL"));
            settings.put("db.user", env("DB_USER", "postgres"));
            settings.put("db.password", env("DB_PASSWORD", "postgres"));
            if (System.getenv("DB_MIGRATION_USER") != null) {
                settings.put("db.migration.user", System.getenv("DB_MIGRATION_USER"));
                settings.put("db.migration.password", env("DB_MIGRATION_PASSWORD", ""));
            }
            say("PostgreSQL (DB_URL)     " + settings.get("db.url"));
        }

        String artemisUrl = System.getenv("ARTEMIS_URL");
        String artemisUser = env("ARTEMIS_USER", DEV_ARTEMIS_USER);
        String artemisPassword = env("ARTEMIS_PASSWORD", DEV_ARTEMIS_PASSWORD);
        if (artemisUrl == null) {
            EmbeddedBroker broker = track(EmbeddedBroker.start(0, artemisUser, artemisPassword, data.resolve("artemis")));
            artemisUrl = broker.url();
            say("Artemis (embedded)      " + artemisUrl);
        } else {
            say("Artemis (ARTEMIS_URL)   " + artemisUrl);
        }
        settings.put("artemis.connection.parameters", connectionParameters(artemisUrl));
        settings.put("artemis.user", artemisUser);
        settings.put("artemis.password", artemisPassword);

        if (System.getenv("EVOLUTION_API_BASE_URL") == null) {
            EvolutionApiSimulator simulator = track(EvolutionApiSimulator.start(
                    Integer.parseInt(env("SIMULATOR_PORT", "0")), env("EVOLUTION_API_KEY", DEV_EVOLUTION_KEY)));
            settings.put("evolution.api.base.url", simulator.baseUrl());
            say("Evolution API simulator " + simulator.baseUrl() + "  (faults: POST " + simulator.baseUrl() + "/__admin/faults)");
        } else {
            settings.put("evolution.api.base.url", System.getenv("EVOLUTION_API_BASE_URL"));
            say("Evolution API           " + settings.get("evolution.api.base.url"));
        }
        settings.put("evolution.api.key", env("EVOLUTION_API_KEY", DEV_EVOLUTION_KEY));
        settings.put("evolution.max.concurrency", env("EVOLUTION_MAX_CONCURRENCY", "8"));
        settings.put("provisioning.workers", env("PROVISIONING_WORKERS", "16"));
        settings.put("webhook.apply.workers", env("WEBHOOK_APPLY_WORKERS", "4"));
        settings.put("public.base.url", env("PUBLIC_BASE_URL", "http://127.0.0.1:" + httpPort));
        // The one place development mode is switched on: http on 127.0.0.1, tokens without iss and aud.
        settings.put("development.mode", "true");
        Path secretsFile = data.resolve("secrets.properties");
        DevSecrets generated = DevSecrets.loadOrCreate(secretsFile);
        String jwtSecret = env("JWT_SECRET", generated.jwtSecret());
        settings.put("jwt.secret", jwtSecret);
        settings.put("secrets.key", env("SECRETS_KEY", generated.secretsKey()));
        settings.put("queue.poll.interval", env("QUEUE_POLL_INTERVAL", "30s"));
        say("Secrets                 " + secretsFile + "  (random, made once for this data directory)");

        say("Starting Payara Micro on port " + httpPort + " …");
        PayaraMicroProcess payara = track(PayaraMicroProcess.start(target, "dev-" + httpPort, httpPort, settings));
        payara.awaitReady(Duration.ofMinutes(3));
        double seconds = (System.nanoTime() - startedAt) / 1e9;

        // Tokens carry iss and aud only when the developer's environment makes the service check them.
        DevTokens tokens = new DevTokens(jwtSecret, System.getenv("JWT_ISSUER"), System.getenv("JWT_AUDIENCE"));
        UUID demoUser = UUID.randomUUID();
        String token = tokens.user(demoUser);
        String base = payara.baseUrl();
        say("");
        say(String.format("Evolution Provisioner is ready in %.1f s", seconds));
        say("  API        " + base + "/api   (profiles, instances/me, webhooks/evolution)");
        say("  Health     " + base + "/health/ready   Metrics " + base + "/metrics");
        say("  Server log " + payara.serverLog());
        say("");
        say("Try it (a development token for user " + demoUser + ", valid 24 h):");
        say("  TOKEN=" + token);
        say("  curl -s -X POST " + base + "/api/profiles -H \"Authorization: Bearer $TOKEN\" "
                + "-H 'Content-Type: application/json' -d '{\"email\":\"demo@example.com\",\"fullName\":\"Demo User\"}'");
        say("  sleep 2; curl -s " + base + "/api/instances/me -H \"Authorization: Bearer $TOKEN\"");
        say("Service-role token (admin endpoints, acting for others):");
        say("  SERVICE_TOKEN=" + tokens.serviceRole());
        say("");
        say("Ctrl-C stops everything.");
        int exit = payara.waitFor();
        say("Payara Micro exited with " + exit + "; stopping the rest.");
        System.exit(exit == 0 ? 0 : 1);
    }

    /** Artemis' resource adapter takes host and port parameters, not a URL: tcp://host:port → host=…;port=…. */
    static String connectionParameters(String artemisUrl) {
        URI uri = URI.create(artemisUrl);
        return "host=" + uri.getHost() + ";port=" + (uri.getPort() == -1 ? 61616 : uri.getPort());
    }

    private <T extends AutoCloseable> T track(T resource) {
        started.add(resource);
        return resource;
    }

    private void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("While stopping " + started.get(i) + ": " + e);
            }
        }
        started.clear();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
