package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.control.OwnerEventStore;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Owner events are kept for {@code EVENT_RETENTION} (default 24 h): long enough for a client to resume after a
 * night offline; one that comes back later starts again from the current state. Runs on every node; idempotent.
 */
@Singleton
@DependsOn("DatabaseMigration")
public class OwnerEventRetention {

    private static final Logger LOG = Logger.getLogger(OwnerEventRetention.class.getName());

    @Inject
    OwnerEventStore store;

    @Inject
    @ConfigProperty(name = "event.retention")
    Duration retention;

    @Schedule(minute = "*/10", hour = "*", persistent = false)
    void deleteExpiredEvents() {
        try {
            int deleted = store.deleteOlderThan(retention);
            if (deleted > 0) {
                LOG.fine(() -> "Deleted " + deleted + " owner events older than " + retention);
            }
        } catch (RuntimeException e) {
            LOG.warning(() -> "Deleting owner events older than " + retention + " failed (retried in 10 minutes): " + e);
        }
    }
}
