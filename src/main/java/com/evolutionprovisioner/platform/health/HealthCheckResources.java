package com.evolutionprovisioner.platform.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.Readiness;

/**
 * WildFly runs health checks on its management threads, where java:app names cannot be looked up. The beans whose
 * {@code @Resource} fields the checks use are therefore created while the application starts, not at the first probe.
 */
@ApplicationScoped
class HealthCheckResources {

    void createAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started,
                         @Readiness DatabaseHealthCheck database, @Readiness BrokerHealthCheck broker) {
        // Calling through the client proxies creates the instances, and with them their resource injections.
        database.toString();
        broker.toString();
    }
}
