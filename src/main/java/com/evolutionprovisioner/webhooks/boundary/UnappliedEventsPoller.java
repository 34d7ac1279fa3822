package com.evolutionprovisioner.webhooks.boundary;

import com.evolutionprovisioner.webhooks.control.AppliedVia;
import com.evolutionprovisioner.webhooks.control.WebhookEventDispatcher;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Safety net for event application, as QueuePoller is for provisioning: stored events still unapplied a while after
 * they arrived (broker down, a lost message) are applied, through the broker when it is back, directly otherwise.
 */
@Singleton
@DependsOn("DatabaseMigration")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class UnappliedEventsPoller {

    private static final Logger LOG = Logger.getLogger(UnappliedEventsPoller.class.getName());

    @PersistenceContext
    EntityManager em;

    @Inject
    WebhookEventDispatcher dispatcher;

    @Schedule(second = "*/20", minute = "*", hour = "*", persistent = false)
    void applyOverdueEvents() {
        try {
            @SuppressWarnings("unchecked")
            List<Number> overdue = em.createNativeQuery("""
                            SELECT id FROM webhook_events
                             WHERE processed_at IS NULL AND apply_attempts < ?1 AND received_at < now() - interval '20 seconds'
                             ORDER BY received_at LIMIT 500""")
                    .setParameter(1, WebhookEventDispatcher.MAX_APPLY_ATTEMPTS)
                    .getResultList();
            for (Number id : overdue) {
                if (!dispatcher.dispatch(id.longValue(), AppliedVia.POLLER, Duration.ZERO)) {
                    dispatcher.applyNow(id.longValue(), AppliedVia.POLLER);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Polling unapplied webhook events failed", e);
        }
    }
}
