package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.work.DeadLetter;
import com.evolutionprovisioner.platform.work.DeadLetters;
import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.control.ProvisioningDispatcher;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue;
import com.evolutionprovisioner.provisioning.control.QueueStatistics;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueStatus;
import com.evolutionprovisioner.security.UserId;
import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What operators may do to the queue, whether from the admin REST API or JMX: look, re-queue, reset, purge.
 * Re-queued rows are dispatched at once, so an operator sees them move without waiting for the poller. The failed
 * rows are provisioning's {@link DeadLetters} (deletions and relocations included: they share the queue).
 */
@Stateless
@LocalBean
@Local(DeadLetters.class)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class QueueOperations implements DeadLetters {

    private static final Logger LOG = Logger.getLogger(QueueOperations.class.getName());
    public static final String PIPELINE = "provisioning";

    @PersistenceContext
    EntityManager em;

    @Inject
    ProvisioningQueue queue;

    @Inject
    ProvisioningDispatcher dispatcher;

    @Inject
    InstanceRegistry instances;

    @Inject
    @ConfigProperty(name = "queue.stuck.after")
    Duration stuckAfter;

    public int requeueFailed() {
        List<Long> ids = queue.requeueFailed();
        ids.forEach(id -> dispatcher.dispatch(id, null, "requeue", Duration.ZERO));
        LOG.info(() -> "Operator re-queued " + ids.size() + " failed row(s)");
        return ids.size();
    }

    @Override
    public String pipeline() {
        return PIPELINE;
    }

    @Override
    public long count() {
        return em.createQuery("SELECT count(q) FROM QueueEntry q WHERE q.status = :failed", Long.class)
                .setParameter("failed", QueueStatus.FAILED)
                .getSingleResult();
    }

    @Override
    public List<DeadLetter> list(int limit) {
        return em.createQuery("SELECT q FROM QueueEntry q WHERE q.status = :failed ORDER BY q.createdAt, q.id", QueueEntry.class)
                .setParameter("failed", QueueStatus.FAILED)
                .setMaxResults(limit)
                .getResultStream()
                .map(entry -> new DeadLetter(PIPELINE, entry.getId(), entry.getOperation().dbValue() + " of user "
                        + entry.getUserId(), entry.getAttempts(), entry.getLastError(), entry.getCreatedAt()))
                .toList();
    }

    /** Re-queues one failed row by its id (the user-keyed {@link #requeue} also takes completed rows, for a repair). */
    @Override
    public boolean replay(long entryId) {
        boolean requeued = queue.requeueFailed(entryId);
        if (requeued) {
            dispatcher.dispatch(entryId, null, "requeue", Duration.ZERO);
        }
        LOG.info(() -> "Operator re-queue of failed row " + entryId + ": " + (requeued ? "done" : "no failed row with this id"));
        return requeued;
    }

    @Override
    public int replayAll() {
        return requeueFailed();
    }

    public boolean requeue(UserId user) {
        Optional<Long> id = queue.requeue(user);
        id.ifPresent(entryId -> dispatcher.dispatch(entryId, user, "requeue", Duration.ZERO));
        LOG.info(() -> "Operator re-queue of user " + user + ": " + (id.isPresent() ? "done" : "nothing to re-queue"));
        return id.isPresent();
    }

    /**
     * Gives the user's instance a new webhook key and re-queues them, so the webhook is reconfigured with it (the
     * old key is accepted meanwhile). Returns false when the user has no instance.
     */
    public boolean rotateWebhookKey(UserId user) {
        if (instances.rotateWebhookKey(user).isEmpty()) {
            return false;
        }
        LOG.info(() -> "Operator rotated the webhook key of user " + user + "'s instance; reconfiguring");
        return requeue(user);
    }

    public int resetStuck() {
        return resetStuck(stuckAfter);
    }

    /** Resets rows in processing for longer than {@code olderThan}, e.g. after fixing what blocked them. */
    public int resetStuck(Duration olderThan) {
        List<Long> ids = queue.resetStuck(olderThan);
        ids.forEach(id -> dispatcher.dispatch(id, null, "requeue", Duration.ZERO));
        LOG.info(() -> "Operator reset " + ids.size() + " row(s) in processing for over " + olderThan);
        return ids.size();
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public int purgeCompletedOlderThan(int days) {
        if (days < 1) {
            throw new IllegalArgumentException("days must be at least 1");
        }
        int purged = em.createNativeQuery("""
                        DELETE FROM evolution_instance_creation_queue
                         WHERE status = 'completed' AND completed_at < now() - ?1 * interval '1 day'""")
                .setParameter(1, days)
                .executeUpdate();
        LOG.info(() -> "Operator purged " + purged + " completed row(s) older than " + days + " day(s)");
        return purged;
    }

    public List<QueueEntry> list(QueueStatus status, int page, int size) {
        return em.createQuery("SELECT q FROM QueueEntry q WHERE q.status = :status ORDER BY q.updatedAt DESC, q.id",
                        QueueEntry.class)
                .setParameter("status", status)
                .setFirstResult(page * size)
                .setMaxResults(size)
                .getResultList();
    }

    /** The seed's health view, v_webhook_health, as column → value. */
    public Map<String, Object> healthView() {
        Object[] row = (Object[]) em.createNativeQuery("""
                        SELECT pending_count, processing_count, completed_count, failed_count, total_count,
                               success_rate_pct, avg_processing_seconds, stuck_count, old_pending_count,
                               webhook_configured_rate_pct
                          FROM v_webhook_health""")
                .getSingleResult();
        String[] names = {"pendingCount", "processingCount", "completedCount", "failedCount", "totalCount",
                "successRatePct", "avgProcessingSeconds", "stuckCount", "oldPendingCount", "webhookConfiguredRatePct"};
        Map<String, Object> view = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            view.put(names[i], row[i]);
        }
        return view;
    }

    public QueueStatistics statistics() {
        Object[] row = (Object[]) em.createNativeQuery("""
                        SELECT count(*) FILTER (WHERE status = 'pending'),
                               count(*) FILTER (WHERE status = 'processing'),
                               count(*) FILTER (WHERE status = 'completed'),
                               count(*) FILTER (WHERE status = 'failed'),
                               count(*) FILTER (WHERE status = 'processing' AND processing_started_at < now() - ?1 * interval '1 millisecond'),
                               greatest(coalesce(extract(EPOCH FROM now() - min(next_attempt_at) FILTER (WHERE status = 'pending')), 0), 0),
                               count(*) FILTER (WHERE status = 'failed' AND updated_at > now() - interval '1 hour'),
                               count(*) FILTER (WHERE status IN ('completed', 'failed') AND updated_at > now() - interval '1 hour'),
                               (SELECT coalesce(avg(CASE WHEN webhook_configured THEN 1.0 ELSE 0.0 END), 0) FROM evolution_instances)
                          FROM evolution_instance_creation_queue""")
                .setParameter(1, stuckAfter.toMillis())
                .getSingleResult();
        long failedLastHour = number(row[6]).longValue();
        long finishedLastHour = number(row[7]).longValue();
        return new QueueStatistics(number(row[0]).longValue(), number(row[1]).longValue(), number(row[2]).longValue(),
                number(row[3]).longValue(), number(row[4]).longValue(), number(row[5]).doubleValue(),
                finishedLastHour == 0 ? 0 : (double) failedLastHour / finishedLastHour, finishedLastHour,
                number(row[8]).doubleValue());
    }

    private static Number number(Object value) {
        return value == null ? 0 : (Number) value;
    }
}
