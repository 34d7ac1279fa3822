package com.evolutionprovisioner.webhooks.boundary;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.ObjectName;

/** Registers the webhook events MXBean in the platform MBean server for as long as the application is deployed. */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class WebhookEventsJmx {

    private static final Logger LOG = Logger.getLogger(WebhookEventsJmx.class.getName());
    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=WebhookEvents";

    @Inject
    WebhookOperations operations;

    @Inject
    WebhookRetention retention;

    private ObjectName name;

    @PostConstruct
    void register() {
        try {
            name = new ObjectName(OBJECT_NAME);
            var server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new EventsMXBean(operations, retention, Thread.currentThread().getContextClassLoader()), name);
        } catch (JMException e) {
            LOG.warning(() -> "Could not register " + OBJECT_NAME + ": " + e);
        }
    }

    @PreDestroy
    void unregister() {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException | RuntimeException e) {
            LOG.fine(() -> "Unregistering " + OBJECT_NAME + ": " + e);
        }
    }

    /** A plain object for JMX; each call runs with the application's class loader, which CDI needs on RMI threads. */
    record EventsMXBean(WebhookOperations operations, WebhookRetention retention, ClassLoader application)
            implements WebhookEventsMXBean {

        @Override
        public int getDeadLetterCount() {
            return inApplication(() -> operations.deadLetters(100_000).size());
        }

        @Override
        public int replayDeadLetters() {
            return inApplication(operations::replayDeadLetters);
        }

        @Override
        public int purgeExpired() {
            return inApplication(() -> operations.purgeAppliedOlderThan(retention.retention()));
        }

        private <T> T inApplication(Supplier<T> call) {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(application);
            try {
                return call.get();
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }
}
