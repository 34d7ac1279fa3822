package com.evolutionprovisioner.devstack;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A running application server with the WAR deployed, as the tests that compare servers see it. */
public interface ApplicationServer extends AutoCloseable {

    /** Where the WAR answers (context root /). */
    String baseUrl();

    /** Where /health/ready is served: the HTTP port on Payara, the management port on WildFly. */
    default String healthBaseUrl() {
        return baseUrl();
    }

    Path serverLog();

    /** The server's own JVM, for a local JMX client. */
    long pid();

    /**
     * Settings as the environment variables MicroProfile Config maps them from (db.url is read from DB_URL), the way
     * production passes them.
     */
    static Map<String, String> asEnvironment(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>();
        settings.forEach((key, value) -> environment.put(key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT), value));
        return environment;
    }

    /**
     * The JVM options the integration tests give the servers they start (failsafe's test.server.jvmOptions, from the
     * pom's it.server.jvmOptions); none for the dev stack and the benchmarks, whose servers run as production's do.
     */
    static List<String> testJvmOptions() {
        String options = System.getProperty("test.server.jvmOptions", "").strip();
        return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    }
}
