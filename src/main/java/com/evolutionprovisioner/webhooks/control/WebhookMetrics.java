package com.evolutionprovisioner.webhooks.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/** Deliveries received (by event, duplicates apart) and rejected (by answer), for /metrics. */
@ApplicationScoped
public class WebhookMetrics {

    @Inject
    MetricRegistry registry;

    public void received(String event, boolean duplicate) {
        registry.counter("webhook_deliveries_received", new Tag("event", event), new Tag("duplicate", Boolean.toString(duplicate))).inc();
    }

    /** Rejections are counted by status: the event of a rejected body is not trustworthy enough to be a label. */
    public void rejected(int status) {
        registry.counter("webhook_deliveries_rejected", new Tag("status", Integer.toString(status))).inc();
    }
}
