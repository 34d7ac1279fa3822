package com.evolutionprovisioner.monitoring;

import com.evolutionprovisioner.provisioning.boundary.QueueOperations;
import com.evolutionprovisioner.security.UserId;
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

/** Registers the queue MXBean in the platform MBean server for as long as the application is deployed. */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class ProvisioningQueueJmx {

    private static final Logger LOG = Logger.getLogger(ProvisioningQueueJmx.class.getName());
    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=ProvisioningQueue";

    @Inject
    QueueOperations operations;

    @Inject
    QueueSnapshot snapshot;

    private ObjectName name;

    @PostConstruct
    void register() {
        try {
            name = new ObjectName(OBJECT_NAME);
            var server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new QueueMXBean(operations, snapshot), name);
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

    /** The object JMX clients talk to: a plain object, so JMX never holds an EJB proxy. */
    record QueueMXBean(QueueOperations operations, QueueSnapshot snapshot) implements ProvisioningQueueMXBean {
        @Override public long getPendingCount() { return snapshot.current().pending(); }
        @Override public long getProcessingCount() { return snapshot.current().processing(); }
        @Override public long getCompletedCount() { return snapshot.current().completed(); }
        @Override public long getFailedCount() { return snapshot.current().failed(); }
        @Override public long getStuckCount() { return snapshot.current().stuck(); }
        @Override public double getOldestPendingAgeSeconds() { return snapshot.current().oldestPendingSeconds(); }
        @Override public double getFailureRateLastHour() { return snapshot.current().failureRateLastHour(); }

        @Override
        public int requeueFailed() {
            snapshot.invalidate();
            return operations.requeueFailed();
        }

        @Override
        public boolean requeue(String userId) {
            UserId user = UserId.parseOrNull(userId);
            if (user == null) {
                throw new IllegalArgumentException("Not a user id (UUID): " + userId);
            }
            snapshot.invalidate();
            return operations.requeue(user);
        }

        @Override
        public int resetStuck() {
            snapshot.invalidate();
            return operations.resetStuck();
        }

        @Override
        public int purgeCompletedOlderThan(int days) {
            snapshot.invalidate();
            return operations.purgeCompletedOlderThan(days);
        }
    }
}
