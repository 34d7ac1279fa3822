package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.health.CachedReadinessCheck;
import com.evolutionprovisioner.platform.health.ProbeResult;
import com.evolutionprovisioner.provisioning.control.QueueStatistics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

/**
 * The seed's alert rules as a health check: DOWN when more than 10 % of the last hour's finished rows failed, or a
 * row has waited in pending over an hour. The details say which rule fired and the numbers behind it.
 */
@Readiness
@ApplicationScoped
public class ProvisioningQueueHealthCheck extends CachedReadinessCheck {

    private static final String NAME = "provisioning-queue";

    @Inject
    QueueSnapshot snapshot;

    @Inject
    @ConfigProperty(name = "health.queue.max.failure.rate")
    double maxFailureRate;

    @Inject
    @ConfigProperty(name = "health.queue.max.pending.age")
    Duration maxPendingAge;

    /**
     * Creates the check at deployment, in the application's context. Created lazily by the first probe, on Payara's
     * health servlet, its settings were converted without the application's converters: "1h" was refused.
     */
    void createAtDeployment(@Observes @Initialized(ApplicationScoped.class) Object deployed) {
        // nothing to do: being called is what creates the bean
    }

    @Override
    protected ProbeResult probe() {
        try {
            QueueStatistics stats = snapshot.current();
            boolean failing = stats.failureRateLastHour() > maxFailureRate;
            boolean waiting = stats.oldestPendingSeconds() > maxPendingAge.toSeconds();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("pending", stats.pending());
            details.put("processing", stats.processing());
            details.put("failed", stats.failed());
            details.put("stuck", stats.stuck());
            details.put("failureRateLastHour", String.format("%.3f", stats.failureRateLastHour()));
            details.put("oldestPendingSeconds", Math.round(stats.oldestPendingSeconds()));
            details.put("alert", failing ? "failure rate over " + maxFailureRate
                    : waiting ? "a row pending over " + maxPendingAge : "none");
            return new ProbeResult(NAME, !failing && !waiting, Collections.unmodifiableMap(details));
        } catch (RuntimeException e) {
            return ProbeResult.failed(NAME, e);
        }
    }
}
