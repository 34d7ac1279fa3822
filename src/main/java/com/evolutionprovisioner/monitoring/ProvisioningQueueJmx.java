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
import java.util.function.Supplier;
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
            server.registerMBean(new QueueMXBean(operations, snapshot, Thread.currentThread().getContextClassLoader()), name);
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
     * The object JMX clients talk to: a plain object, so JMX never holds an EJB proxy. JMX calls arrive on RMI
     * threads without the application's context class loader, which CDI needs: each call runs with it.
     */
    record QueueMXBean(QueueOperations operations, QueueSnapshot snapshot, ClassLoader application)
            implements ProvisioningQueueMXBean {

        @Override public long getPendingCount() { return inApplication(() -> snapshot.current().pending()); }
        @Override public long getProcessingCount() { return inApplication(() -> snapshot.current().processing()); }
        @Override public long getCompletedCount() { return inApplication(() -> snapshot.current().completed()); }
        @Override public long getFailedCount() { return inApplication(() -> snapshot.current().failed()); }
        @Override public long getStuckCount() { return inApplication(() -> snapshot.current().stuck()); }
        @Override public double getOldestPendingAgeSeconds() { return inApplication(() -> snapshot.current().oldestPendingSeconds()); }
        @Override public double getFailureRateLastHour() { return inApplication(() -> snapshot.current().failureRateLastHour()); }

        @Override
        public int requeueFailed() {
            return changing(operations::requeueFailed);
        }

        @Override
        public boolean requeue(String userId) {
            UserId user = UserId.parseOrNull(userId);
            if (user == null) {
                throw new IllegalArgumentException("Not a user id (UUID): " + userId);
            }
            return changing(() -> operations.requeue(user));
        }

        @Override
        public int resetStuck() {
            return changing(operations::resetStuck);
        }

        @Override
        public int resetStuckOlderThanMinutes(int minutes) {
            if (minutes < 1) {
                throw new IllegalArgumentException("minutes must be at least 1");
            }
            return changing(() -> operations.resetStuck(java.time.Duration.ofMinutes(minutes)));
        }

        @Override
        public int purgeCompletedOlderThan(int days) {
            return changing(() -> operations.purgeCompletedOlderThan(days));
        }

        private <T> T changing(Supplier<T> action) {
            return inApplication(() -> {
                snapshot.invalidate();
                return action.get();
            });
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
