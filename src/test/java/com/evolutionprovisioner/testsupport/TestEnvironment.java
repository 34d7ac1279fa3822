package com.evolutionprovisioner.testsupport;

import com.evolutionprovisioner.devstack.DevSecrets;
import com.evolutionprovisioner.devstack.DevTokens;
import com.evolutionprovisioner.devstack.EmbeddedBroker;
import com.evolutionprovisioner.devstack.EmbeddedPostgresServer;
import com.evolutionprovisioner.devstack.LocalMachine;
import com.evolutionprovisioner.devstack.PayaraCommandFiles;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts, once per test JVM, the real parts every integration test runs against — PostgreSQL, Artemis and the
 * Evolution API simulator, each on a free 127.0.0.1 port — and publishes their coordinates as system properties
 * for arquillian.xml. Registered through the service loader (not {@code @ExtendWith}) so it runs before
 * Arquillian reads its configuration.
 */
public final class TestEnvironment implements BeforeAllCallback {

    private static final DevSecrets SECRETS = DevSecrets.random();
    /** Made anew for each test run: the service refuses published secrets, and runs in production mode here. */
    public static final String JWT_SECRET = SECRETS.jwtSecret();
    /** base64 of 32 bytes: the key the service under test encrypts instance secrets with. */
    public static final String SECRETS_KEY = SECRETS.secretsKey();
    /** The iss and aud the service requires outside development mode, and the test tokens carry. */
    public static final String JWT_ISSUER = "https://integration-tests.supabase.invalid/auth/v1";
    public static final String JWT_AUDIENCE = "authenticated";
    public static final String EVOLUTION_KEY = "test-evolution-key";
    /** WEBHOOK_KEY_CACHE_TTL of the test nodes. */
    public static final Duration WEBHOOK_KEY_CACHE_TTL = Duration.ofSeconds(1);
    public static final String ARTEMIS_USER = "provisioner";
    public static final String ARTEMIS_PASSWORD = "provisioner-test";
    /** base64 of 32 bytes: the key before the last rotation, still read (SECRETS_KEY_PREVIOUS); also new each run. */
    public static final String SECRETS_KEY_PREVIOUS = DevSecrets.random().secretsKey();

    private static Running running;

    /** The started parts. */
    public record Running(EmbeddedPostgresServer postgres, EmbeddedBroker broker, EvolutionApiSimulator simulator,
                          int httpPort, DevTokens tokens, Path buildDirectory) {
        public String publicBaseUrl() {
            return "http://127.0.0.1:" + httpPort;
        }

        /**
         * The MicroProfile Config values of a node under test, on the shared database, broker and simulator: for the
         * Arquillian-managed node (through arquillian.xml) and for nodes a test starts itself. Short poll, back-off,
         * timeout, lease and circuit delay keep the fault tests quick; they do not change what is asserted.
         */
        public Map<String, String> nodeSettings(String nodeId, String publicBaseUrl) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("db.url", postgres.jdbcUrl());
            // The service runs as the least-privileged role, its migrations as the tables' owner.
            settings.put("db.user", EmbeddedPostgresServer.APP_USER);
            settings.put("db.password", EmbeddedPostgresServer.APP_PASSWORD);
            settings.put("db.migration.user", EmbeddedPostgresServer.OWNER);
            settings.put("db.migration.password", EmbeddedPostgresServer.OWNER_PASSWORD);
            settings.put("artemis.connection.parameters", "host=127.0.0.1;port=" + broker.port());
            settings.put("artemis.user", ARTEMIS_USER);
            settings.put("artemis.password", ARTEMIS_PASSWORD);
            settings.put("evolution.api.base.url", simulator.baseUrl());
            settings.put("evolution.api.key", EVOLUTION_KEY);
            settings.put("evolution.max.concurrency", "8");
            settings.put("provisioning.workers", "16");
            settings.put("webhook.apply.workers", "4");
            settings.put("evolution.timeout", "3s");
            settings.put("public.base.url", publicBaseUrl);
            settings.put("jwt.secret", JWT_SECRET);
            settings.put("jwt.issuer", JWT_ISSUER);
            settings.put("jwt.audience", JWT_AUDIENCE);
            // Production mode, as deployed, except that the simulator delivers webhooks over http on 127.0.0.1.
            settings.put("allow.insecure.webhook.url", "true");
            settings.put("queue.poll.interval", "3s");
            settings.put("queue.retry.backoff", "1s");
            settings.put("queue.node.lease", "10s");
            settings.put("queue.unavailable.max.backoff", "3s");
            settings.put("webhook.clock.skew", "2s");
            // An event that cannot be applied is a dead letter after its 5 attempts: 0.25+0.5+1+2 s apart instead
            // of 2+4+8+16 s (the schedule itself is RetryPolicyTest's).
            settings.put("webhook.apply.retry.backoff", "250ms");
            // The safety net of stored events comes round every 5 s instead of 20 s: an event the broker never
            // delivered is applied within seconds; the message-driven bean still applies the others at once.
            settings.put("webhook.apply.poll.interval", "5s");
            // Every class resets the simulator, which forgets the instances of earlier classes: a state check finding
            // them missing would re-provision them behind later classes' backs. InstanceStateIT runs its own node.
            settings.put("instance.state.check.interval", "1d");
            // Short, so that a test changing a stored key behind the service's back sees it read again soon.
            settings.put("webhook.key.cache.ttl", WEBHOOK_KEY_CACHE_TTL.toMillis() + "ms");
            settings.put("provisioner.node.id", nodeId);
            settings.put("secrets.key", SECRETS_KEY);
            settings.put("secrets.key.previous", SECRETS_KEY_PREVIOUS);
            settings.put("evolution.legacy.instance.names", "legacy-{userId}");
            settings.put("evolution.circuit.delay", "2s");
            settings.put("evolution.licence.recheck.interval", "2s");
            return settings;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // Each Arquillian class starts its own node on the same port; the previous class's node may still be exiting.
        LocalMachine.awaitPortFree(get().httpPort(), Duration.ofSeconds(60));
    }

    public static synchronized Running get() throws Exception {
        if (running == null) {
            running = start();
            Runtime.getRuntime().addShutdownHook(new Thread(TestEnvironment::stop, "test-environment-shutdown"));
        }
        return running;
    }

    private static Running start() throws Exception {
        Path build = Path.of(System.getProperty("project.build.directory", "target")).toAbsolutePath();
        Path data = Files.createDirectories(build.resolve("it-data"));
        LocalMachine.deleteTree(data, true);
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(0, data.resolve("pgdata"));
        EmbeddedBroker broker = EmbeddedBroker.start(0, ARTEMIS_USER, ARTEMIS_PASSWORD, data.resolve("artemis"));
        EvolutionApiSimulator simulator = EvolutionApiSimulator.start(0, EVOLUTION_KEY);
        int httpPort = LocalMachine.freePort();

        Path payara = Files.createDirectories(build.resolve("payara").resolve("arquillian"));
        Running parts = new Running(postgres, broker, simulator, httpPort, new DevTokens(JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE), build);
        StringBuilder settings = new StringBuilder();
        parts.nodeSettings("arquillian", parts.publicBaseUrl()).forEach((key, value) ->
                settings.append(" -D").append(key).append('=').append(value));
        System.setProperty("test.payara.settings", settings.toString().trim());
        System.setProperty("test.http.port", Integer.toString(httpPort));
        System.setProperty("test.payara.tmp", Files.createDirectories(payara.resolve("tmp")).toString());
        System.setProperty("test.payara.preboot", PayaraCommandFiles.writePreBoot(payara).toString());
        System.setProperty("test.payara.postboot", PayaraCommandFiles.writePostBoot(payara, build.resolve("artemis-rar.rar")).toString());
        return parts;
    }

    private static void stop() {
        try {
            running.simulator().close();
            running.broker().close();
            running.postgres().close();
        } catch (Exception e) {
            System.err.println("Stopping the test environment: " + e);
        }
    }

}
