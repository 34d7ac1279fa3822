package com.evolutionprovisioner.provisioning.boundary;

/** The provisioning queue as JConsole and VisualVM show it: {@code com.evolutionprovisioner:type=ProvisioningQueue}. */
public interface ProvisioningQueueMXBean {

    long getPendingCount();

    long getProcessingCount();

    long getCompletedCount();

    long getFailedCount();

    long getStuckCount();

    double getOldestPendingAgeSeconds();

    double getFailureRateLastHour();

    /** Re-queues every failed row; returns how many. */
    int requeueFailed();

    /** Re-queues one user's row (failed or completed); returns whether there was one. */
    boolean requeue(String userId);

    /** Returns rows stuck in processing to pending now; returns how many. */
    int resetStuck();

    /** Returns rows in processing for over {@code minutes} to pending now; returns how many. */
    int resetStuckOlderThanMinutes(int minutes);

    /** Deletes completed rows older than {@code days}; returns how many. */
    int purgeCompletedOlderThan(int days);
}
