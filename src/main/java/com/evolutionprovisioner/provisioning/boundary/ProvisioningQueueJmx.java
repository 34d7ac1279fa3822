package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApplicationMBeans;
import com.evolutionprovisioner.security.UserId;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import javax.management.ObjectName;

/** Registers the queue MXBean in the platform MBean server for as long as the application is deployed. */
@Singleton
@Startup
public class ProvisioningQueueJmx {

    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=ProvisioningQueue";

    @Inject
    QueueOperations operations;

    @Inject
    QueueSnapshot snapshot;

    private ObjectName name;

    @PostConstruct
    void register() {
        name = ApplicationMBeans.register(OBJECT_NAME, ProvisioningQueueMXBean.class, new QueueMXBean(operations, snapshot));
    }

    @PreDestroy
    void unregister() {
        ApplicationMBeans.unregister(name);
    }

    /** A plain object for JMX, so that JMX never holds an EJB proxy. */
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
            snapshot.invalidate();
            return action.get();
        }
    }
}
