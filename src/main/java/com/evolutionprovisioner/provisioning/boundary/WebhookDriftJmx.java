package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.entity.WebhookVerificationReport;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.ObjectName;

/** Registers the webhook drift MXBean in the platform MBean server for as long as the application is deployed. */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class WebhookDriftJmx {

    private static final Logger LOG = Logger.getLogger(WebhookDriftJmx.class.getName());
    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=WebhookDrift";

    @Inject
    WebhookDriftRepair repair;

    private ObjectName name;

    @PostConstruct
    void register() {
        try {
            name = new ObjectName(OBJECT_NAME);
            var server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new DriftMXBean(repair, Thread.currentThread().getContextClassLoader()), name);
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

    /**
     * The object JMX clients talk to. JMX calls arrive on RMI threads without the application's context class loader,
     * which CDI needs: the call runs with it.
     */
    record DriftMXBean(WebhookDriftRepair repair, ClassLoader application) implements WebhookDriftMXBean {

        @Override
        public WebhookVerificationReport verifyAllNow() {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(application);
            try {
                return repair.verifyAll();
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }
}
