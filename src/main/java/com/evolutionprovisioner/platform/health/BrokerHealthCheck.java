package com.evolutionprovisioner.platform.health;

import com.evolutionprovisioner.platform.ServerResources;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import java.util.Map;
import org.eclipse.microprofile.health.Readiness;

/**
 * The broker carries the fast path. Browsing the provisioning queue forces a round trip, so a pooled connection
 * to a broker that has gone away does not pass for a live one.
 */
@Readiness
@ApplicationScoped
public class BrokerHealthCheck extends CachedReadinessCheck {

    private static final String NAME = "broker";

    @Resource(lookup = ServerResources.JMS_CONNECTION_FACTORY)
    ConnectionFactory connectionFactory;

    @Resource(lookup = ServerResources.PROVISIONING_QUEUE)
    Queue provisioningQueue;

    @Override
    protected ProbeResult probe() {
        try (JMSContext context = connectionFactory.createContext()) {
            context.createBrowser(provisioningQueue).getEnumeration().hasMoreElements();
            return ProbeResult.up(NAME, Map.of());
        } catch (JMSException | RuntimeException e) {
            return ProbeResult.failed(NAME, e);
        }
    }
}
