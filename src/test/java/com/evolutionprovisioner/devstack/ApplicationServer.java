package com.evolutionprovisioner.devstack;

import java.nio.file.Path;

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
}
