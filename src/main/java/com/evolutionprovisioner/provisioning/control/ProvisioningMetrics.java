package com.evolutionprovisioner.provisioning.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Provisioning counters and the signup → completed timer, as Prometheus shows them at /metrics
 * ({@code provisioning_attempts_total}, {@code provisioning_failures_total{reason=...}}, ...).
 */
@ApplicationScoped
public class ProvisioningMetrics {

    @Inject
    MetricRegistry registry;

    void attemptStarted() {
        registry.counter("provisioning_attempts").inc();
    }

    void completed(Duration sinceSignup, String webhookMethod) {
        registry.counter("provisioning_completed", new Tag("webhook_method", webhookMethod)).inc();
        registry.timer("provisioning_signup_to_completed").update(sinceSignup);
    }

    /** {@code reason} is a small fixed vocabulary (transient, rejected, internal), so the series stay few. */
    void attemptFailed(String reason, boolean gaveUp) {
        registry.counter("provisioning_failures", new Tag("reason", reason), new Tag("gave_up", Boolean.toString(gaveUp))).inc();
    }

    void adopted() {
        registry.counter("provisioning_instances_adopted").inc();
    }
}
