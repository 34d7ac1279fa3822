package com.evolutionprovisioner.monitoring;

import com.evolutionprovisioner.platform.ServerResources;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The broker carries the fast path. Browsing the provisioning queue forces a round trip, so a pooled connection
 * to a broker that has gone away does not pass for a live one.
 */
@Readiness
@ApplicationScoped
public class BrokerHealthCheck implements HealthCheck {

    @Resource(lookup = ServerResources.JMS_CONNECTION_FACTORY)
    ConnectionFactory connectionFactory;

    @Resource(lookup = ServerResources.PROVISIONING_QUEUE)
    Queue provisioningQueue;

    @Override
    public HealthCheckResponse call() {
        try (JMSContext context = connectionFactory.createContext()) {
            context.createBrowser(provisioningQueue).getEnumeration().hasMoreElements();
            return HealthCheckResponse.named("broker").up().build();
        } catch (JMSException | RuntimeException e) {
            return HealthCheckResponse.named("broker").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
