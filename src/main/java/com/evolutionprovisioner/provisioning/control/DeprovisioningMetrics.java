package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Deprovisioning's own counters and its request → erased histogram, as Prometheus shows them at /metrics
 * ({@code deprovisioning_started_total}, {@code deprovisioning_completed_total{at_evolution=...}},
 * {@code deprovisioning_failures_total{reason=...,gave_up=...}},
 * {@code deprovisioning_requested_to_erased_milliseconds}).
 */
@ApplicationScoped
public class DeprovisioningMetrics {

    private static final Metadata REQUESTED_TO_ERASED = Metadata.builder()
            .withName("deprovisioning_requested_to_erased_milliseconds")
            .withDescription("Time from a deletion request to the user's data erased, in milliseconds")
            .withUnit(MetricUnits.NONE)
            .build();

    @Inject
    ApplicationMetrics metrics;

    /** A deletion was queued (a repeat of a pending one is not counted). */
    void started() {
        metrics.increment("deprovisioning_started");
    }

    /** {@code atEvolution}: removed, already_gone or never_created. */
    void completed(String atEvolution, Duration sinceRequested) {
        metrics.increment("deprovisioning_completed", new Tag("at_evolution", atEvolution));
        metrics.record(REQUESTED_TO_ERASED, sinceRequested.toMillis());
    }

    /** {@code reason} is a small fixed vocabulary (transient, rejected, internal), so the series stay few. */
    void attemptFailed(String reason, boolean gaveUp) {
        metrics.increment("deprovisioning_failures", new Tag("reason", reason), new Tag("gave_up", Boolean.toString(gaveUp)));
    }
}
