package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.platform.work.RetryPolicy;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.FailureCode;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueOperation;
import com.evolutionprovisioner.provisioning.entity.QueueStatus;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.UserId;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The provisioning queue table. Every transition is one conditional UPDATE committed on its own (with, for the
 * claim and the end of an attempt, the user's instance record in the same transaction), so that any number of workers
 * on any number of nodes agree: a row is claimed by exactly one of them, and every attempt is counted.
 * Times come from the database clock, the one clock all nodes share.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class ProvisioningQueue {

    /** What became of a failed attempt: retried after {@code retryIn}, or failed for good. */
    public record FailedAttempt(boolean willRetry, Duration retryIn) {
    }

    /** A claimed row, and the user's instance record as it stood once claimed (detached: changes write nothing). */
    public record Claim(QueueEntry entry, EvolutionInstance instance) {
    }

    @PersistenceContext
    EntityManager em;

    @Inject
    InstanceRegistry instances;

    @Inject
    NodeIdentity node;

    @Inject
    Config config;

    @Inject
    @ConfigProperty(name = "queue.unavailable.give.up")
    Duration unavailableGiveUp;

    /** QUEUE_MAX_ATTEMPTS, QUEUE_RETRY_BACKOFF, and QUEUE_UNAVAILABLE_MAX_BACKOFF as the cap of an outage's back-off. */
    private RetryPolicy retry;

    /** The policy's back-offs as PostgreSQL arrays, by failure count: refusals (not capped), then outages. */
    private String refusalBackoffs;
    private String unavailableBackoffs;

    @PostConstruct
    void readRetryPolicy() {
        retry = RetryPolicy.fromConfig(config, "queue", "queue.unavailable.max.backoff");
        refusalBackoffs = millisArray(retry.uncapped().schedule());
        unavailableBackoffs = millisArray(retry.schedule());
    }

    /**
     * Takes a due pending row for this node: pending → processing, attempts + 1. Under concurrent claims PostgreSQL
     * re-checks the WHERE clause on the locked row, so exactly one claimer sees one updated row.
     */
    public Optional<QueueEntry> claim(long entryId, String via) {
        int claimed = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'processing', attempts = attempts + 1, max_attempts = ?1,
                               processing_started_at = now(), claimed_by = ?2, claimed_via = ?3, updated_at = now()
                         WHERE id = ?4 AND status = 'pending' AND next_attempt_at <= now()""")
                .setParameter(1, retry.maxAttempts())
                .setParameter(2, node.id())
                .setParameter(3, via)
                .setParameter(4, entryId)
                .executeUpdate();
        return claimed == 1 ? Optional.of(em.find(QueueEntry.class, entryId)) : Optional.empty();
    }

    /**
     * Claims the row and, in the same transaction, makes sure the user's instance record exists: the name and the
     * webhook key Evolution is about to be given are on disk before Evolution is called, so that a later attempt,
     * whatever happened in between, reuses them. A row queued for deletion gets no record (its claim has none).
     */
    public Optional<Claim> claimToProvision(long entryId, String via, WebhookAuth auth) {
        return claim(entryId, via).map(entry -> new Claim(entry,
                entry.isDeprovisioning() ? null : instances.findOrCreate(entry.getUserId(), auth)));
    }

    /** Completes the row and records what the attempt learned of the user's instance, in one transaction. */
    public void complete(long entryId, UserId userId, Consumer<EvolutionInstance> learned) {
        instances.update(userId, learned);
        complete(entryId);
    }

    /** {@link #recordRefusal(long, String, FailureCode)}, and what the attempt learned, in one transaction. */
    public FailedAttempt recordRefusal(long entryId, String error, FailureCode code, UserId userId,
                                       Consumer<EvolutionInstance> learned) {
        instances.update(userId, learned);
        return recordRefusal(entryId, error, code);
    }

    /** {@link #recordUnavailable(long, String, FailureCode)}, and what the attempt learned, in one transaction. */
    public FailedAttempt recordUnavailable(long entryId, String error, FailureCode code, UserId userId,
                                           Consumer<EvolutionInstance> learned) {
        instances.update(userId, learned);
        return recordUnavailable(entryId, error, code);
    }

    /**
     * Ends a successful provisioning attempt. When the user asked for deletion meanwhile, the row is handed over to
     * deprovisioning instead of completed (see {@link #requestDeprovisioning}).
     */
    public void complete(long entryId) {
        int completed = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'completed', completed_at = now(), last_error = NULL, last_error_code = NULL,
                               unavailable_since = NULL, unavailable_attempts = 0, updated_at = now()
                         WHERE id = ?1 AND status = 'processing' AND operation = 'provision'""")
                .setParameter(1, entryId)
                .executeUpdate();
        if (completed == 0) {
            handOverToDeprovisioning(entryId);
        }
    }

    /**
     * Switches the user's row to deprovisioning, due now with fresh attempts; a failed deprovisioning is queued again.
     * A row a worker holds stays processing: the provisioning attempt in flight finishes first and its outcome hands
     * the row over, so no worker deletes while another may still be creating, and nothing creates after this. A user
     * without a row (signed up before the queue existed) gets one. Returns the row when this request queued work;
     * empty when its deletion was already queued or running, or the user has no profile.
     */
    public Optional<Long> requestDeprovisioning(UserId userId) {
        List<?> ids = em.createNativeQuery("""
                        INSERT INTO evolution_instance_creation_queue AS q (user_id, operation, deprovisioning_requested_at)
                        SELECT id, 'deprovision', now() FROM profiles WHERE id = ?1
                        ON CONFLICT (user_id) DO UPDATE
                           SET operation = 'deprovision',
                               deprovisioning_requested_at = coalesce(q.deprovisioning_requested_at, now()),
                               status = CASE WHEN q.status = 'processing' THEN 'processing' ELSE 'pending' END,
                               attempts = 0, next_attempt_at = now(), completed_at = NULL,
                               unavailable_since = NULL, unavailable_attempts = 0,
                               last_error = NULL, last_error_code = NULL, updated_at = now()
                         WHERE q.operation = 'provision' OR q.status = 'failed'
                        RETURNING id""")
                .setParameter(1, userId.value())
                .getResultList();
        return ids.stream().map(id -> ((Number) id).longValue()).findFirst();
    }

    /**
     * A provisioning attempt ended on a row whose user asked for deletion meanwhile: its outcome no longer matters,
     * the row goes back to pending, due now, for a worker to deprovision. Only this node's own claim is handed over.
     */
    private boolean handOverToDeprovisioning(long entryId) {
        return em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'pending', next_attempt_at = now(), updated_at = now()
                         WHERE id = ?1 AND status = 'processing' AND operation = 'deprovision' AND claimed_by = ?2""")
                .setParameter(1, entryId)
                .setParameter(2, node.id())
                .executeUpdate() == 1;
    }

    /**
     * Locks the row for the erasure of its user's data, in the caller's transaction, if this node still holds it for
     * deprovisioning (a node slow enough to have been taken over must not erase behind the new holder's back).
     */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public boolean holdForErasure(long entryId) {
        return !em.createNativeQuery("""
                        SELECT id FROM evolution_instance_creation_queue
                         WHERE id = ?1 AND status = 'processing' AND operation = 'deprovision' AND claimed_by = ?2
                           FOR UPDATE""")
                .setParameter(1, entryId)
                .setParameter(2, node.id())
                .getResultList().isEmpty();
    }

    /**
     * Ends an attempt that Evolution refused for good (a 4xx other than 404, the licence gate): back to pending with
     * the next attempt backed off exponentially (backoff × 2^(attempts-1)), or failed once the attempts are used up.
     * {@code code} is what the user is told; {@code error}, the detail.
     */
    public FailedAttempt recordRefusal(long entryId, String error, FailureCode code) {
        return recordRefusal(entryId, QueueOperation.PROVISION, error, code);
    }

    /** {@link #recordRefusal(long, String, FailureCode)} for an attempt at {@code operation}. */
    public FailedAttempt recordRefusal(long entryId, QueueOperation operation, String error, FailureCode code) {
        return endAttempt(operation, """
                        UPDATE evolution_instance_creation_queue
                           SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
                               next_attempt_at = now() + policy.backoffs[least(greatest(attempts, 1), cardinality(policy.backoffs))]
                                                         * interval '1 millisecond',
                               unavailable_since = NULL, unavailable_attempts = 0,
                               last_error = ?2, last_error_code = ?4, updated_at = now()
                          FROM (SELECT CAST(?1 AS bigint[]) AS backoffs) policy
                         WHERE id = ?3 AND status = 'processing' AND operation = ?5
                        RETURNING status, (extract(EPOCH FROM next_attempt_at - now()) * 1000)::bigint""",
                entryId, error, code, refusalBackoffs, operation.dbValue());
    }

    /**
     * Ends an attempt that failed because Evolution (or our database) was unavailable: not the user's fault, so the
     * attempt is not counted. Retries back off (backoff × 2^n, at most QUEUE_UNAVAILABLE_MAX_BACKOFF) and the row
     * fails only once the unavailability has lasted QUEUE_UNAVAILABLE_GIVE_UP.
     */
    public FailedAttempt recordUnavailable(long entryId, String error, FailureCode code) {
        return recordUnavailable(entryId, QueueOperation.PROVISION, error, code);
    }

    /** {@link #recordUnavailable(long, String, FailureCode)} for an attempt at {@code operation}. */
    public FailedAttempt recordUnavailable(long entryId, QueueOperation operation, String error, FailureCode code) {
        // In an UPDATE, every expression reads the row as it was before it: unavailable_attempts is the old count.
        return endAttempt(operation, """
                        UPDATE evolution_instance_creation_queue
                           SET status = CASE WHEN unavailable_since <= now() - ?5 * interval '1 millisecond'
                                             THEN 'failed' ELSE 'pending' END,
                               attempts = greatest(attempts - 1, 0),
                               unavailable_since = coalesce(unavailable_since, now()),
                               unavailable_attempts = unavailable_attempts + 1,
                               next_attempt_at = now() + policy.backoffs[least(unavailable_attempts + 1, cardinality(policy.backoffs))]
                                                         * interval '1 millisecond',
                               last_error = ?2, last_error_code = ?4, updated_at = now()
                          FROM (SELECT CAST(?1 AS bigint[]) AS backoffs) policy
                         WHERE id = ?3 AND status = 'processing' AND operation = ?6
                        RETURNING status, (extract(EPOCH FROM next_attempt_at - now()) * 1000)::bigint""",
                entryId, error, code, unavailableBackoffs, unavailableGiveUp.toMillis(), operation.dbValue());
    }

    /**
     * Runs one of the attempt-ending updates: ?1 the back-offs by failure count, ?2 error, ?3 row, ?4 code, then
     * {@code more} from ?5 (the last one the operation). A provisioning attempt whose user asked for deletion
     * meanwhile hands the row over.
     */
    private FailedAttempt endAttempt(QueueOperation operation, String update, long entryId, String error,
                                     FailureCode code, String backoffs, Object... more) {
        var query = em.createNativeQuery(update)
                .setParameter(1, backoffs)
                .setParameter(2, truncate(error))
                .setParameter(3, entryId)
                .setParameter(4, code.dbValue());
        for (int i = 0; i < more.length; i++) {
            query.setParameter(5 + i, more[i]);
        }
        List<?> rows = query.getResultList();
        if (rows.isEmpty()) {
            boolean handedOver = operation == QueueOperation.PROVISION && handOverToDeprovisioning(entryId);
            return new FailedAttempt(handedOver, Duration.ZERO);
        }
        Object[] row = (Object[]) rows.get(0);
        return new FailedAttempt("pending".equals(row[0]), Duration.ofMillis(((Number) row[1]).longValue()));
    }

    /**
     * Ids of pending rows whose next attempt has been due for at least {@code missedFor}: rows the fast path should
     * have taken by now. Reads only the partial index of pending rows.
     */
    @SuppressWarnings("unchecked")
    public List<Long> overdue(Duration missedFor, int limit) {
        List<Number> ids = em.createNativeQuery("""
                        SELECT id FROM evolution_instance_creation_queue
                         WHERE status = 'pending' AND next_attempt_at <= now() - ?1 * interval '1 millisecond'
                         ORDER BY next_attempt_at
                         LIMIT ?2""")
                .setParameter(1, missedFor.toMillis())
                .setParameter(2, limit)
                .getResultList();
        return ids.stream().map(Number::longValue).toList();
    }

    /**
     * Returns rows stuck in processing longer than {@code stuckAfter} to pending (or to failed when their attempts
     * are used up); the stuck attempt counts. Returns the ids of rows made pending again.
     */
    @SuppressWarnings("unchecked")
    public List<Long> resetStuck(Duration stuckAfter) {
        List<Number> ids = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
                               next_attempt_at = now(),
                               last_error = 'stuck in processing since ' || processing_started_at
                                            || ' on node ' || coalesce(claimed_by, '?') || '; reset',
                               last_error_code = 'internal', updated_at = now()
                         WHERE status = 'processing' AND processing_started_at < now() - ?1 * interval '1 millisecond'
                        RETURNING id, status""")
                .setParameter(1, stuckAfter.toMillis())
                .getResultList().stream()
                .filter(row -> "pending".equals(((Object[]) row)[1]))
                .map(row -> (Number) ((Object[]) row)[0])
                .toList();
        return ids.stream().map(Number::longValue).toList();
    }

    /** Records that this node is alive; its claims stay its own while the heartbeat is fresh. */
    public void heartbeat() {
        em.createNativeQuery("""
                        INSERT INTO provisioner_nodes (node_id) VALUES (?1)
                        ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now()""")
                .setParameter(1, node.id())
                .executeUpdate();
    }

    /**
     * Returns to pending the rows held by nodes whose heartbeat is older than {@code lease} (killed or cut off):
     * their attempt is counted as failed. Returns the ids made pending again.
     */
    @SuppressWarnings("unchecked")
    public List<Long> takeOverFromDeadNodes(Duration lease) {
        List<Object[]> rows = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue q
                           SET status = CASE WHEN q.attempts >= q.max_attempts THEN 'failed' ELSE 'pending' END,
                               next_attempt_at = now(),
                               last_error = 'node ' || q.claimed_by || ' stopped while working on it; taken over',
                               last_error_code = 'internal', updated_at = now()
                         WHERE q.status = 'processing'
                           AND q.claimed_by <> ?1
                           AND q.processing_started_at < now() - ?2 * interval '1 millisecond'
                           AND NOT EXISTS (SELECT 1 FROM provisioner_nodes n
                                            WHERE n.node_id = q.claimed_by
                                              AND n.heartbeat_at > now() - ?2 * interval '1 millisecond')
                        RETURNING q.id, q.status""")
                .setParameter(1, node.id())
                .setParameter(2, lease.toMillis())
                .getResultList();
        return rows.stream().filter(row -> "pending".equals(row[1])).map(row -> ((Number) row[0]).longValue()).toList();
    }

    /**
     * Returns to pending the rows this node claimed but is no longer working on — an attempt whose final update
     * failed because the database went away mid-attempt (not the user's fault: the attempt is not counted).
     * {@code workingOn} is what this node is doing right now.
     */
    @SuppressWarnings("unchecked")
    public List<Long> releaseOwnOrphans(Set<Long> workingOn) {
        String active = workingOn.stream().map(String::valueOf).collect(Collectors.joining(","));
        List<Object[]> rows = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'pending', attempts = greatest(attempts - 1, 0),
                               unavailable_attempts = unavailable_attempts + 1, next_attempt_at = now(),
                               last_error = coalesce(last_error, 'attempt interrupted before its outcome was recorded'),
                               last_error_code = coalesce(last_error_code, 'internal'), updated_at = now()
                         WHERE status = 'processing' AND claimed_by = ?1
                           AND processing_started_at < now() - interval '5 seconds'
                           AND NOT (id = ANY (CAST(string_to_array(?2, ',') AS bigint[])))
                        RETURNING id, status""")
                .setParameter(1, node.id())
                .setParameter(2, active)
                .getResultList();
        return rows.stream().filter(row -> "pending".equals(row[1])).map(row -> ((Number) row[0]).longValue()).toList();
    }

    /** Puts a user's failed (or completed, for a repair) row back to pending with fresh attempts. */
    public Optional<Long> requeue(UserId userId) {
        List<?> ids = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'pending', attempts = 0, next_attempt_at = now(), completed_at = NULL,
                               unavailable_since = NULL, unavailable_attempts = 0, updated_at = now()
                         WHERE user_id = ?1 AND status IN ('failed', 'completed')
                        RETURNING id""")
                .setParameter(1, userId.value())
                .getResultList();
        return ids.stream().map(id -> ((Number) id).longValue()).findFirst();
    }

    /** Puts every failed row back to pending; returns their ids. */
    @SuppressWarnings("unchecked")
    public List<Long> requeueFailed() {
        List<Number> ids = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'pending', attempts = 0, next_attempt_at = now(),
                               unavailable_since = NULL, unavailable_attempts = 0, updated_at = now()
                         WHERE status = 'failed'
                        RETURNING id""")
                .getResultList();
        return ids.stream().map(Number::longValue).toList();
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Optional<QueueEntry> findByUser(UserId userId) {
        return em.createQuery("SELECT q FROM QueueEntry q WHERE q.userId = :user", QueueEntry.class)
                .setParameter("user", userId.value())
                .getResultStream().findFirst();
    }

    /** A PostgreSQL array literal of the back-offs in milliseconds, e.g. {@code {30000,60000,120000}}. */
    static String millisArray(List<Duration> backoffs) {
        return backoffs.stream().map(backoff -> String.valueOf(backoff.toMillis()))
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static String truncate(String error) {
        String text = error == null ? "unknown error" : error;
        return text.length() > 2000 ? text.substring(0, 2000) + "…" : text;
    }
}
