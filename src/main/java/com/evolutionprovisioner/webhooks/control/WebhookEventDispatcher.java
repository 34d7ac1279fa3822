package com.evolutionprovisioner.webhooks.control;

import com.evolutionprovisioner.platform.LogSafe;
import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.platform.work.DurableWork;
import com.evolutionprovisioner.platform.work.NudgeSender;
import com.evolutionprovisioner.platform.work.RetryPolicy;
import com.evolutionprovisioner.platform.work.WorkNudge;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.jms.Queue;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Webhook event application as a user of the durable work pipeline: hands stored events to the applier
 * asynchronously, keeping the receiver's answer fast, and applies the events a nudge or the safety net names. A failed
 * application is retried with back-off; after WEBHOOK_APPLY_MAX_ATTEMPTS the event stays stored as a dead letter
 * (unprocessed, with its error) for an operator to inspect and replay.
 */
@ApplicationScoped
public class WebhookEventDispatcher implements DurableWork {

    private static final Logger LOG = Logger.getLogger(WebhookEventDispatcher.class.getName());

    @Inject
    NudgeSender sender;

    @PersistenceContext
    EntityManager em;

    @Inject
    WebhookEventApplier applier;

    @Resource(lookup = ServerResources.WEBHOOK_EVENTS_QUEUE)
    Queue webhookEventsQueue;

    @Inject
    Config config;

    /** WEBHOOK_APPLY_MAX_ATTEMPTS, WEBHOOK_APPLY_RETRY_BACKOFF, WEBHOOK_APPLY_MAX_BACKOFF. */
    private RetryPolicy retry;

    @PostConstruct
    void readRetryPolicy() {
        retry = RetryPolicy.fromConfig(config, "webhook.apply");
    }

    /** The attempts an event gets before it is a dead letter: the poller and the operators' dead-letter views ask. */
    public int maxAttempts() {
        return retry.maxAttempts();
    }

    /**
     * One message for the events, after {@code delay}: the broker's cost is per message, and a batch of webhook
     * deliveries commits together anyway. Returns whether the broker took it; when not, the poller applies them.
     */
    public boolean dispatch(List<Long> eventIds, AppliedVia via, Duration delay) {
        Optional<String> refusal = sender.send(webhookEventsQueue, new WorkNudge(eventIds, via.dbValue()), delay);
        refusal.ifPresent(why -> LOG.warning(() -> "Webhook event(s) " + eventIds + " stored but not queued for application ("
                + why + "); the poller will apply them"));
        return refusal.isEmpty();
    }

    /** Nudges the events an operator replayed, once their fresh attempts are committed. */
    void nudgeReplayed(@Observes(during = TransactionPhase.AFTER_SUCCESS) ReplayedEvents replayed) {
        dispatch(replayed.ids(), AppliedVia.REPLAY, Duration.ZERO);
    }

    @Override
    public String name() {
        return "webhook events";
    }

    /** Events still unapplied {@code waited} after they arrived, that have attempts left (dead letters wait for an operator). */
    @Override
    public List<Long> overdue(Duration waited, int limit) {
        @SuppressWarnings("unchecked")
        List<Number> overdue = em.createNativeQuery("""
                        SELECT id FROM webhook_events
                         WHERE processed_at IS NULL AND apply_attempts < ?1
                           AND received_at < now() - ?2 * interval '1 millisecond'
                         ORDER BY received_at LIMIT ?3""")
                .setParameter(1, retry.maxAttempts())
                .setParameter(2, waited.toMillis())
                .setParameter(3, limit)
                .getResultList();
        return overdue.stream().map(Number::longValue).toList();
    }

    /** All the events in one message: their application is one transaction, cheap beside a message each. */
    @Override
    public List<Long> nudge(List<Long> ids, String via) {
        return dispatch(ids, AppliedVia.fromMessage(via), Duration.ZERO) ? List.of() : ids;
    }

    @Override
    public void workNow(List<Long> ids, String via) {
        applyAllNow(ids, AppliedVia.fromMessage(via));
    }

    /**
     * Applies the events now, in one transaction; if that fails, one by one ({@link #applyNow}), so that an event that
     * cannot be applied costs only its own attempts and the batch's other events are applied.
     */
    public void applyAllNow(List<Long> eventIds, AppliedVia via) {
        if (eventIds.size() > 1) {
            try {
                applier.applyAll(eventIds, via);
                return;
            } catch (RuntimeException batchFailure) {
                LOG.info(() -> "Applying " + eventIds.size() + " webhook events together failed (" + rootCause(batchFailure)
                        + "); applying them one by one");
            }
        }
        for (long eventId : eventIds) {
            try {
                applyNow(eventId, via);
            } catch (RuntimeException e) {
                // The event row keeps its state; the poller of unapplied events comes back to it.
                LOG.warning(() -> "Webhook event " + eventId + " not applied: " + e);
            }
        }
    }

    /** Applies the event now; on failure records it and schedules a retry, or leaves a dead letter. */
    public void applyNow(long eventId, AppliedVia via) {
        try {
            applier.apply(eventId, via);
        } catch (RuntimeException failure) {
            int attempts = applier.recordFailure(eventId, rootCause(failure));
            if (retry.allowsAnotherAfter(attempts)) {
                LOG.warning(() -> "Applying webhook event " + eventId + " failed (attempt " + attempts + "): "
                        + LogSafe.quote(rootCause(failure)));
                dispatch(List.of(eventId), AppliedVia.RETRY, retry.backoffAfter(attempts));
            } else {
                LOG.severe(() -> "Webhook event " + eventId + " is a dead letter after " + attempts + " attempts: "
                        + LogSafe.quote(rootCause(failure)) + ". Inspect GET /api/admin/webhooks/dead-letters, replay with POST …/replay");
            }
        }
    }

    /** The innermost cause says what went wrong; the EJB and JPA wrappers around it do not. */
    private static String rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
