package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Provisioning counters and the signup → completed timer, as Prometheus shows them at /metrics
 * ({@code provisioning_attempts_total}, {@code provisioning_failures_total{reason=...}},
 * {@code provisioning_signup_to_completed_milliseconds}, ...).
 */
@ApplicationScoped
public class ProvisioningMetrics {

    private static final Metadata SIGNUP_TO_COMPLETED = Metadata.builder()
            .withName("provisioning_signup_to_completed_milliseconds")
            .withDescription("Time from signup (queue row created) to instance completed, in milliseconds")
            .withUnit(MetricUnits.NONE)
            .build();

    @Inject
    ApplicationMetrics metrics;

    void attemptStarted() {
        metrics.increment("provisioning_attempts");
    }

    void completed(Duration sinceSignup, String webhookMethod) {
        metrics.increment("provisioning_completed", new Tag("webhook_method", webhookMethod));
        // A histogram in plain milliseconds: Payara 6's Prometheus output of Timers mixes units (sum vs quantiles).
        metrics.record(SIGNUP_TO_COMPLETED, sinceSignup.toMillis());
    }

    /** {@code reason} is a small fixed vocabulary (transient, rejected, internal), so the series stay few. */
    void attemptFailed(String reason, boolean gaveUp) {
        metrics.increment("provisioning_failures", new Tag("reason", reason), new Tag("gave_up", Boolean.toString(gaveUp)));
    }

    /** {@code webhook_drift_repaired_total}: webhooks found missing or changed at Evolution and configured again. */
    void webhookDriftRepaired() {
        metrics.increment("webhook_drift_repaired");
    }

    /** {@code provisioning_no_capacity_total}: claims that found every Evolution server full (the row waits). */
    void waitingForCapacity() {
        metrics.increment("provisioning_no_capacity");
    }

    void adopted() {
        metrics.increment("provisioning_instances_adopted");
    }
}
