package com.evolutionprovisioner.webhooks.boundary;

import com.evolutionprovisioner.webhooks.control.AppliedVia;
import com.evolutionprovisioner.webhooks.control.EventTime;
import com.evolutionprovisioner.webhooks.control.WebhookEventDispatcher;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.logging.Logger;

/**
 * Operator actions on webhook events: see the dead letters (events that could not be applied) and replay them, and
 * delete applied events past their retention.
 */
@Stateless
public class WebhookOperations {

    private static final Logger LOG = Logger.getLogger(WebhookOperations.class.getName());

    @PersistenceContext
    EntityManager em;

    @Inject
    WebhookEventDispatcher dispatcher;

    public record DeadLetter(long id, String instanceName, String event, int applyAttempts, String applyError,
                             OffsetDateTime receivedAt) {
    }

    public long deadLetterCount() {
        return ((Number) em.createNativeQuery("""
                        SELECT count(*) FROM webhook_events WHERE processed_at IS NULL AND apply_attempts >= ?1""")
                .setParameter(1, dispatcher.maxAttempts())
                .getSingleResult()).longValue();
    }

    public List<DeadLetter> deadLetters(int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, instance_name, event, apply_attempts, apply_error, received_at FROM webhook_events
                         WHERE processed_at IS NULL AND apply_attempts >= ?1 ORDER BY received_at LIMIT ?2""")
                .setParameter(1, dispatcher.maxAttempts())
                .setParameter(2, limit)
                .getResultList();
        return rows.stream().map(row -> new DeadLetter(((Number) row[0]).longValue(), (String) row[1], (String) row[2],
                ((Number) row[3]).intValue(), (String) row[4], EventTime.fromDatabase(row[5]))).toList();
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

    /** Gives one dead letter a fresh set of attempts and queues it again; false when no dead letter has this id. */
    public boolean replayDeadLetter(long id) {
        int reset = em.createNativeQuery("""
                        UPDATE webhook_events SET apply_attempts = 0
                         WHERE id = ?1 AND processed_at IS NULL AND apply_attempts >= ?2""")
                .setParameter(1, id)
                .setParameter(2, dispatcher.maxAttempts())
                .executeUpdate();
        if (reset == 0) {
            return false;
        }
        em.flush();
        dispatcher.dispatch(id, AppliedVia.REPLAY, Duration.ofMillis(500));
        LOG.info(() -> "Operator replayed dead-letter webhook event " + id);
        return true;
    }

    /** Gives every dead letter a fresh set of attempts and queues it again; returns how many. */
    public int replayDeadLetters() {
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery("""
                        UPDATE webhook_events SET apply_attempts = 0
                         WHERE processed_at IS NULL AND apply_attempts >= ?1 RETURNING id""")
                .setParameter(1, dispatcher.maxAttempts())
                .getResultList();
        em.flush();
        ids.forEach(id -> dispatcher.dispatch(id.longValue(), AppliedVia.REPLAY, Duration.ofMillis(500)));
        LOG.info(() -> "Operator replayed " + ids.size() + " dead-letter webhook event(s)");
        return ids.size();
    }
}
