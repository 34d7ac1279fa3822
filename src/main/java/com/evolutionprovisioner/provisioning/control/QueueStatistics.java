package com.evolutionprovisioner.provisioning.control;

/**
 * A snapshot of the queue for dashboards, metrics, alerts and JMX. The failure rate is over the last hour's
 * finished rows, the alerting window the seed's operators used. The oldest pending age counts from when the row
 * became due (a re-queued or backed-off row is not "old" for the time it was not supposed to run).
 */
public record QueueStatistics(long pending, long processing, long completed, long failed, long stuck,
                              double oldestPendingSeconds, double failureRateLastHour, long finishedLastHour,
                              double webhookConfiguredRate) {
}
