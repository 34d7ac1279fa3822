package com.evolutionprovisioner.provisioning.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
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
    MetricRegistry registry;

    void attemptStarted() {
        registry.counter("provisioning_attempts").inc();
    }

    void completed(Duration sinceSignup, String webhookMethod) {
        registry.counter("provisioning_completed", new Tag("webhook_method", webhookMethod)).inc();
        // A histogram in plain milliseconds: Payara 6's Prometheus output of Timers mixes units (sum vs quantiles).
        registry.histogram(SIGNUP_TO_COMPLETED).update(sinceSignup.toMillis());
    }

    /** {@code reason} is a small fixed vocabulary (transient, rejected, internal), so the series stay few. */
    void attemptFailed(String reason, boolean gaveUp) {
        registry.counter("provisioning_failures", new Tag("reason", reason), new Tag("gave_up", Boolean.toString(gaveUp))).inc();
    }

    void adopted() {
        registry.counter("provisioning_instances_adopted").inc();
    }
}
