package com.evolutionprovisioner.monitoring;

import com.evolutionprovisioner.provisioning.control.QueueStatistics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The seed's alert rules as a health check: DOWN when more than 10 % of the last hour's finished rows failed, or a
 * row has waited in pending over an hour. The data says which rule fired and the numbers behind it.
 */
@Readiness
@ApplicationScoped
public class ProvisioningQueueHealthCheck implements HealthCheck {

    @Inject
    QueueSnapshot snapshot;

    @Inject
    @ConfigProperty(name = "health.queue.max.failure.rate", defaultValue = "0.10")
    double maxFailureRate;

    @Inject
    @ConfigProperty(name = "health.queue.max.pending.age", defaultValue = "1h")
    Duration maxPendingAge;

    @Override
    public HealthCheckResponse call() {
        try {
            QueueStatistics stats = snapshot.current();
            boolean failing = stats.failureRateLastHour() > maxFailureRate;
            boolean waiting = stats.oldestPendingSeconds() > maxPendingAge.toSeconds();
            return HealthCheckResponse.named("provisioning-queue")
                    .status(!failing && !waiting)
                    .withData("pending", stats.pending())
                    .withData("processing", stats.processing())
                    .withData("failed", stats.failed())
                    .withData("stuck", stats.stuck())
                    .withData("failureRateLastHour", String.format("%.3f", stats.failureRateLastHour()))
                    .withData("oldestPendingSeconds", Math.round(stats.oldestPendingSeconds()))
                    .withData("alert", failing ? "failure rate over " + maxFailureRate
                            : waiting ? "a row pending over " + maxPendingAge : "none")
                    .build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("provisioning-queue").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
