package com.evolutionprovisioner.webhooks.boundary;

import com.evolutionprovisioner.platform.work.DeadLetter;
import com.evolutionprovisioner.platform.work.DeadLetters;
import com.evolutionprovisioner.webhooks.control.EventTime;
import com.evolutionprovisioner.webhooks.control.ReplayedEvents;
import com.evolutionprovisioner.webhooks.control.WebhookEventDispatcher;
import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.logging.Logger;

/**
 * Operator actions on webhook events: see the dead letters (events that could not be applied) and replay them, and
 * delete applied events past their retention. The dead letters are this pipeline's {@link DeadLetters}.
 */
@Stateless
@LocalBean
@Local(DeadLetters.class)
public class WebhookOperations implements DeadLetters {

    private static final Logger LOG = Logger.getLogger(WebhookOperations.class.getName());
    public static final String PIPELINE = "webhook-events";

    @PersistenceContext
    EntityManager em;

    @Inject
    WebhookEventDispatcher dispatcher;

    @Inject
    Event<ReplayedEvents> replayed;

    /** A dead letter as GET /api/admin/webhooks/dead-letters has always shown it. */
    public record DeadLetterEvent(long id, String instanceName, String event, int applyAttempts, String applyError,
                                  OffsetDateTime receivedAt) {
    }

    @Override
    public String pipeline() {
        return PIPELINE;
    }

    @Override
    public long count() {
        return ((Number) em.createNativeQuery("""
                        SELECT count(*) FROM webhook_events WHERE processed_at IS NULL AND apply_attempts >= ?1""")
                .setParameter(1, dispatcher.maxAttempts())
                .getSingleResult()).longValue();
    }

    /** The oldest first, at most {@code limit}. */
    public List<DeadLetterEvent> deadLetterEvents(int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, instance_name, event, apply_attempts, apply_error, received_at FROM webhook_events
                         WHERE processed_at IS NULL AND apply_attempts >= ?1 ORDER BY received_at LIMIT ?2""")
                .setParameter(1, dispatcher.maxAttempts())
                .setParameter(2, limit)
                .getResultList();
        return rows.stream().map(row -> new DeadLetterEvent(((Number) row[0]).longValue(), (String) row[1], (String) row[2],
                ((Number) row[3]).intValue(), (String) row[4], EventTime.fromDatabase(row[5]))).toList();
    }

    @Override
    public List<DeadLetter> list(int limit) {
        return deadLetterEvents(limit).stream().map(event -> new DeadLetter(PIPELINE, event.id(),
                event.event() + " of " + event.instanceName(), event.applyAttempts(), event.applyError(),
                event.receivedAt())).toList();
    }

    /**
     * Deletes applied events received more than {@code olderThan} ago; returns how many. Their effects (message log,
     * connection history, instance state) stay. Dead letters are kept until replayed.
     */
    public int purgeAppliedOlderThan(Duration olderThan) {
        int purged = em.createNativeQuery("""
                        DELETE FROM webhook_events
                         WHERE processed_at IS NOT NULL AND received_at < now() - ?1 * interval '1 millisecond'""")
                .setParameter(1, olderThan.toMillis())
                .executeUpdate();
        LOG.info(() -> "Purged " + purged + " applied webhook event(s) received more than " + olderThan.toDays() + " day(s) ago");
        return purged;
    }

    /** Gives one dead letter a fresh set of attempts, nudged once committed; false when no dead letter has this id. */
    @Override
    public boolean replay(long id) {
        int reset = em.createNativeQuery("""
                        UPDATE webhook_events SET apply_attempts = 0
                         WHERE id = ?1 AND processed_at IS NULL AND apply_attempts >= ?2""")
                .setParameter(1, id)
                .setParameter(2, dispatcher.maxAttempts())
                .executeUpdate();
        if (reset == 0) {
            return false;
        }
        replayed.fire(new ReplayedEvents(List.of(id)));
        LOG.info(() -> "Operator replayed dead-letter webhook event " + id);
        return true;
    }

    /** Gives every dead letter a fresh set of attempts, nudged once committed; returns how many. */
    @Override
    public int replayAll() {
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery("""
                        UPDATE webhook_events SET apply_attempts = 0
                         WHERE processed_at IS NULL AND apply_attempts >= ?1 RETURNING id""")
                .setParameter(1, dispatcher.maxAttempts())
                .getResultList();
        if (!ids.isEmpty()) {
            replayed.fire(new ReplayedEvents(ids.stream().map(Number::longValue).toList()));
        }
        LOG.info(() -> "Operator replayed " + ids.size() + " dead-letter webhook event(s)");
        return ids.size();
    }
}
