package com.evolutionprovisioner.webhooks.boundary;

import com.evolutionprovisioner.platform.work.SafetyNetTimer;
import com.evolutionprovisioner.webhooks.control.AppliedVia;
import com.evolutionprovisioner.webhooks.control.WebhookEventDispatcher;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Safety net for event application, as QueuePoller is for provisioning: every WEBHOOK_APPLY_POLL_INTERVAL, stored
 * events still unapplied one interval after they arrived (broker down, a lost message) are applied, through the
 * broker when it is back, directly otherwise.
 */
@Singleton
@Startup
@DependsOn("DatabaseMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class UnappliedEventsPoller {

    private static final Logger LOG = Logger.getLogger(UnappliedEventsPoller.class.getName());

    @Resource
    TimerService timerService;

    @PersistenceContext
    EntityManager em;

    @Inject
    WebhookEventDispatcher dispatcher;

    @Inject
    @ConfigProperty(name = "webhook.apply.poll.interval")
    Duration pollInterval;

    @Inject
    @ConfigProperty(name = "webhook.apply.poll.batch.size")
    int batchSize;

    private final AtomicBoolean polling = new AtomicBoolean();

    @PostConstruct
    void schedule() {
        SafetyNetTimer.start(timerService, "unapplied-webhook-events-poller", pollInterval);
    }

    @Timeout
    void onTimer() {
        // A slow round (applying events itself while the broker is down) must not pile up overlapping rounds.
        if (!polling.compareAndSet(false, true)) {
            return;
        }
        try {
            applyOverdueEvents();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Polling unapplied webhook events failed; next round in " + pollInterval, e);
        } finally {
            polling.set(false);
        }
    }

    private void applyOverdueEvents() {
        // An event is "missed" once it has waited a whole poll interval: younger ones are the fast path's.
        @SuppressWarnings("unchecked")
        List<Number> overdue = em.createNativeQuery("""
                        SELECT id FROM webhook_events
                         WHERE processed_at IS NULL AND apply_attempts < ?1
                           AND received_at < now() - ?2 * interval '1 millisecond'
                         ORDER BY received_at LIMIT ?3""")
                .setParameter(1, dispatcher.maxAttempts())
                .setParameter(2, pollInterval.toMillis())
                .setParameter(3, batchSize)
                .getResultList();
        List<Long> eventIds = overdue.stream().map(Number::longValue).toList();
        if (!eventIds.isEmpty() && !dispatcher.dispatchAll(eventIds, AppliedVia.POLLER)) {
            dispatcher.applyAllNow(eventIds, AppliedVia.POLLER);
        }
    }
}
