package com.evolutionprovisioner.provisioning.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.annotation.Gauge;

/** The provisioning queue as Prometheus gauges, read from the cached {@link QueueSnapshot}. */
@ApplicationScoped
public class QueueGauges {

    @Inject
    QueueSnapshot snapshot;

    /** Annotated gauges are registered when the bean is created: create it at start-up, not at first use. */
    void registerAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        snapshot.getClass();
    }

    @Gauge(name = "provisioning_queue_depth", tags = "status=pending", unit = "none", absolute = true)
    public long pending() {
        return snapshot.current().pending();
    }

    @Gauge(name = "provisioning_queue_depth", tags = "status=processing", unit = "none", absolute = true)
    public long processing() {
        return snapshot.current().processing();
    }

    @Gauge(name = "provisioning_queue_depth", tags = "status=completed", unit = "none", absolute = true)
    public long completed() {
        return snapshot.current().completed();
    }

    @Gauge(name = "provisioning_queue_depth", tags = "status=failed", unit = "none", absolute = true)
    public long failed() {
        return snapshot.current().failed();
    }

    @Gauge(name = "provisioning_queue_stuck", unit = "none", absolute = true)
    public long stuck() {
        return snapshot.current().stuck();
    }

    @Gauge(name = "provisioning_queue_oldest_pending_age", unit = "seconds", absolute = true)
    public double oldestPendingAge() {
        return snapshot.current().oldestPendingSeconds();
    }

    @Gauge(name = "provisioning_failure_rate_last_hour", unit = "none", absolute = true)
    public double failureRateLastHour() {
        return snapshot.current().failureRateLastHour();
    }

    @Gauge(name = "provisioning_webhook_configured_rate", unit = "none", absolute = true)
    public double webhookConfiguredRate() {
        return snapshot.current().webhookConfiguredRate();
    }
}
