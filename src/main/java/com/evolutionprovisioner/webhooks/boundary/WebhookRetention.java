package com.evolutionprovisioner.webhooks.boundary;

import jakarta.ejb.DependsOn;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Raw delivery payloads are kept for {@code WEBHOOK_RETENTION} (default 30 days), then deleted by this hourly timer
 * (on every node; the delete is idempotent). What they changed stays in the message log and the connection history.
 */
@Singleton
@DependsOn("DatabaseMigration")
public class WebhookRetention {

    private static final Logger LOG = Logger.getLogger(WebhookRetention.class.getName());

    @Inject
    WebhookOperations operations;

    @Inject
    @ConfigProperty(name = "webhook.retention")
    Duration retention;

    @Schedule(minute = "17", hour = "*", persistent = false)
    void purgeExpiredEvents() {
        try {
            operations.purgeAppliedOlderThan(retention);
        } catch (RuntimeException e) {
            LOG.warning(() -> "Purging webhook events older than " + retention + " failed (next hour retries): " + e);
        }
    }

    public Duration retention() {
        return retention;
    }
}
