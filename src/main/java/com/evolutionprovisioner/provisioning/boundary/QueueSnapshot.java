package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.control.QueueStatistics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The queue statistics, recomputed at most every few seconds: metrics scrapes, health probes and JMX consoles
 * poll often, and the statistics query reads the whole queue table.
 */
@ApplicationScoped
public class QueueSnapshot {

    private static final long MAX_AGE_NANOS = 5_000_000_000L;

    @Inject
    QueueOperations operations;

    private QueueStatistics statistics;
    private long takenAt;

    public synchronized QueueStatistics current() {
        if (statistics == null || System.nanoTime() - takenAt > MAX_AGE_NANOS) {
            statistics = operations.statistics();
            takenAt = System.nanoTime();
        }
        return statistics;
    }

    /** Forgets the snapshot, so that the next read shows an operator's action at once. */
    public synchronized void invalidate() {
        statistics = null;
    }
}
