package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.control.EvolutionPool;
import com.evolutionprovisioner.evolution.entity.ConnectionState;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.platform.work.RetryPolicy;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.FailureCode;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueOperation;
import com.evolutionprovisioner.provisioning.entity.QueueStatus;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.UserId;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional.TxType;
import jakarta.transaction.Transactional;
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
@ApplicationScoped
@Transactional(TxType.REQUIRES_NEW)
public class ProvisioningQueue {

    /** What became of a failed attempt: retried after {@code retryIn}, or failed for good. */
    public record FailedAttempt(boolean willRetry, Duration retryIn) {
    }

    /**
     * A claimed row, and the user's instance record as it stood once claimed (detached: changes write nothing).
     * {@code waitingForCapacity}: no Evolution server had room, so the row went straight back to pending (the claim
     * was only a look); there is nothing to work.
     */
    public record Claim(QueueEntry entry, EvolutionInstance instance, boolean waitingForCapacity) {
    }

    /**
     * How a relocation ended: {@code handedBack} to provisioning (false: the user asked for deletion meanwhile, and the
     * row went to it), and the server the instance moved to (empty: it stays where it was).
     */
    public record Moved(boolean handedBack, Optional<String> to) {
    }

    /** A relocation request's outcome: rows queued to move, and the instances that stay on their server. */
    public record Relocation(List<Long> moving, int staying) {
    }

    /** The status reason users see while the pool is full (GET /api/instances/me: lastErrorCode no_capacity). */
    static final String NO_CAPACITY_ERROR = "No Evolution server has room for another instance (every active server is"
            + " at capacity): waiting, placed as soon as an operator adds capacity (POST or PATCH /api/admin/evolution-servers)";

    @PersistenceContext
    EntityManager em;

    @Inject
    InstanceRegistry instances;

    @Inject
    NodeIdentity node;

    @Inject
    EvolutionPool pool;

    @Inject
    @ConfigProperty(name = "queue.poll.interval")
    Duration pollInterval;

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
        // RETURNING hands back the claimed row in the same round trip.
        List<?> claimed = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'processing', attempts = attempts + 1, max_attempts = ?1,
                               processing_started_at = now(), claimed_by = ?2, claimed_via = ?3, updated_at = now()
                         WHERE id = ?4 AND status = 'pending' AND next_attempt_at <= now()
                        RETURNING *""", QueueEntry.class)
                .setParameter(1, retry.maxAttempts())
                .setParameter(2, node.id())
                .setParameter(3, via)
                .setParameter(4, entryId)
                .getResultList();
        return claimed.stream().map(QueueEntry.class::cast).findFirst();
    }

    /**
     * Claims the row and, in the same transaction, makes sure the user's instance record exists and is placed on an
     * Evolution server: the name, the webhook key Evolution is about to be given and the server are on disk before
     * Evolution is called, so that a later attempt, whatever happened in between, reuses them. Placing inside the
     * claim is what keeps concurrent nodes from overfilling a server (the pool locks what it counts). When the pool
     * is full the row goes back to pending in the same transaction, its attempt not spent
     * ({@link #waitForCapacity}). A row queued for deletion or relocation gets no record (its claim has none) and no
     * placement (its instance keeps the one it has).
     */
    public Optional<Claim> claimToProvision(long entryId, String via, WebhookAuth auth) {
        Optional<QueueEntry> claimed = claim(entryId, via);
        if (claimed.isEmpty() || claimed.get().getOperation() != QueueOperation.PROVISION) {
            return claimed.map(entry -> new Claim(entry, null, false));
        }
        QueueEntry entry = claimed.get();
        EvolutionInstance instance = instances.findOrCreate(entry.getUserId(), auth);
        if (pool.place(instance.getInstanceName()).isEmpty()) {
            waitForCapacity(entryId);
            return Optional.of(new Claim(entry, instance, true));
        }
        return Optional.of(new Claim(entry, instance, false));
    }

    /**
     * Puts a just-claimed row back to pending because no server has room: the attempt is not counted (the pool being
     * full is nobody's fault, and no attempt would ever be left otherwise), {@code no_capacity} tells the user why they
     * wait, and the next look is one poll interval away, unless added capacity wakes the row first
     * ({@link #wakeWaitingForCapacity}).
     */
    private void waitForCapacity(long entryId) {
        em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'pending', attempts = greatest(attempts - 1, 0),
                               next_attempt_at = now() + ?2 * interval '1 millisecond',
                               last_error = ?3, last_error_code = 'no_capacity', updated_at = now()
                         WHERE id = ?1 AND status = 'processing'""")
                .setParameter(1, entryId)
                .setParameter(2, pollInterval.toMillis())
                .setParameter(3, NO_CAPACITY_ERROR)
                .executeUpdate();
    }

    /** Makes every row waiting for capacity due now; returns their ids, to be nudged. */
    @SuppressWarnings("unchecked")
    public List<Long> wakeWaitingForCapacity() {
        List<Number> ids = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET next_attempt_at = now(), updated_at = now()
                         WHERE status = 'pending' AND operation = 'provision' AND last_error_code = 'no_capacity'
                        RETURNING id""")
                .getResultList();
        return ids.stream().map(Number::longValue).toList();
    }

    /** How many users wait for an Evolution server with room. */
    @Transactional(TxType.SUPPORTS)
    public long countWaitingForCapacity() {
        return ((Number) em.createNativeQuery("""
                        SELECT count(*) FROM evolution_instance_creation_queue
                         WHERE status = 'pending' AND operation = 'provision' AND last_error_code = 'no_capacity'""")
                .getSingleResult()).longValue();
    }

    /**
     * Queues the move of every never-paired instance placed on {@code server} (empty: the pool has no such server),
     * in this transaction (which the pool's reads need, also when JMX asks): their rows
     * become relocations, due now with fresh attempts; a row a worker holds stays processing, and the attempt in
     * flight hands it over when it ends (as for a deletion). Never paired: our record is not {@code open}, no
     * connection history says {@code open}, and no message traffic was ever seen; a paired instance stays where its
     * WhatsApp session lives. Rows being deleted are left alone and count as staying.
     */
    public Optional<Relocation> requestRelocationFrom(String server) {
        if (pool.baseUrlOf(server) == null) {
            return Optional.empty();
        }
        return Optional.of(requestRelocation(pool.placedOn(server)));
    }

    @SuppressWarnings("unchecked")
    private Relocation requestRelocation(List<InstanceName> placed) {
        if (placed.isEmpty()) {
            return new Relocation(List.of(), 0);
        }
        List<Number> ids = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue q
                           SET operation = 'relocate',
                               status = CASE WHEN q.status = 'processing' THEN 'processing' ELSE 'pending' END,
                               attempts = 0, next_attempt_at = now(), completed_at = NULL,
                               unavailable_since = NULL, unavailable_attempts = 0,
                               last_error = NULL, last_error_code = NULL, updated_at = now()
                          FROM evolution_instances i
                         WHERE i.user_id = q.user_id
                           AND i.instance_name = ANY (string_to_array(?1, ','))
                           AND q.operation = 'provision'
                           AND %s
                        RETURNING q.id""".formatted(NEVER_PAIRED))
                .setParameter(1, String.join(",", placed.stream().map(InstanceName::value).toList()))
                .getResultList();
        List<Long> moving = ids.stream().map(Number::longValue).toList();
        return new Relocation(moving, placed.size() - moving.size());
    }

    /** The condition on evolution_instances {@code i} of an instance no phone was ever linked to. */
    private static final String NEVER_PAIRED = """
            i.connection_state IS DISTINCT FROM 'open' AND i.last_traffic_at IS NULL
                           AND NOT EXISTS (SELECT 1 FROM instance_connection_history h
                                            WHERE h.instance_name = i.instance_name AND h.state = 'open')
            """;

    /** Whether the user's instance is still never paired (re-checked before it is deleted for a move). */
    @Transactional(TxType.SUPPORTS)
    public boolean neverPaired(UserId userId) {
        return !em.createNativeQuery("SELECT 1 FROM evolution_instances i WHERE i.user_id = ?1 AND (" + NEVER_PAIRED + ")")
                .setParameter(1, userId.value())
                .getResultList().isEmpty();
    }

    /**
     * Ends a relocation whose instance is gone from its old server: in one transaction the placement moves to another
     * active server with room, what we knew of the old instance is forgotten (its id, token, state and QR code), and
     * the row becomes a provisioning, which creates the instance again at its new server by the normal path. Without
     * room elsewhere the placement stays and the instance is created again where it was. Due {@code settle} from now:
     * every node caches placements for a while, and one still routing to the old server would create it there
     * again. A row whose user asked for deletion meanwhile is handed over to it instead, and nothing moves.
     */
    public Moved finishRelocation(long entryId, UserId userId, InstanceName name, Duration settle) {
        boolean handedBack = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET operation = 'provision', status = 'pending', attempts = 0,
                               next_attempt_at = now() + ?3 * interval '1 millisecond',
                               unavailable_since = NULL, unavailable_attempts = 0,
                               last_error = NULL, last_error_code = NULL, updated_at = now()
                         WHERE id = ?1 AND status = 'processing' AND operation = 'relocate' AND claimed_by = ?2""")
                .setParameter(1, entryId)
                .setParameter(2, node.id())
                .setParameter(3, settle.toMillis())
                .executeUpdate() == 1;
        if (!handedBack) {
            handOverToNextOperation(entryId);
            return new Moved(false, Optional.empty());
        }
        // The instance made at the new server is a new one: no id, no token, no phone, no QR code yet.
        instances.update(userId, instance -> {
            instance.forgetEvolutionIdentity();
            instance.recordConnectionState(ConnectionState.CLOSE);
        });
        return new Moved(true, pool.replace(name));
    }

    /** Hands a relocation back to provisioning without moving anything (the instance was paired meanwhile). */
    public void cancelRelocation(long entryId) {
        int handedBack = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET operation = 'provision', status = 'pending', attempts = 0, next_attempt_at = now(),
                               updated_at = now()
                         WHERE id = ?1 AND status = 'processing' AND operation = 'relocate' AND claimed_by = ?2""")
                .setParameter(1, entryId)
                .setParameter(2, node.id())
                .executeUpdate();
        if (handedBack == 0) {
            handOverToNextOperation(entryId);
        }
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
     * Ends a successful provisioning attempt. When the user asked for deletion (or an operator for a relocation)
     * meanwhile, the row is handed over to it instead of completed (see {@link #requestDeprovisioning}).
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
            handOverToNextOperation(entryId);
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
                         WHERE q.operation <> 'deprovision' OR q.status = 'failed'
                        RETURNING id""")
                .setParameter(1, userId.value())
                .getResultList();
        return ids.stream().map(id -> ((Number) id).longValue()).findFirst();
    }

    /**
     * An attempt ended on a row whose operation changed meanwhile (the user asked for deletion, an operator for a
     * relocation): its outcome no longer matters, the row goes back to pending, due now, for a worker to do what is
     * asked now. Only this node's own claim is handed over.
     */
    private boolean handOverToNextOperation(long entryId) {
        return em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'pending', next_attempt_at = now(), updated_at = now()
                         WHERE id = ?1 AND status = 'processing' AND operation <> 'provision' AND claimed_by = ?2""")
                .setParameter(1, entryId)
                .setParameter(2, node.id())
                .executeUpdate() == 1;
    }

    /**
     * Locks the row for the erasure of its user's data, in the caller's transaction, if this node still holds it for
     * deprovisioning (a node slow enough to have been taken over must not erase behind the new holder's back).
     */
    @Transactional(TxType.MANDATORY)
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

    /** Ends a failed attempt of the operation as {@link AttemptFailure} says it counts: a refusal, or an outage. */
    public FailedAttempt recordFailure(long entryId, QueueOperation operation, AttemptFailure failed) {
        return failed.definitive() ? recordRefusal(entryId, operation, failed.reason(), failed.code())
                : recordUnavailable(entryId, operation, failed.reason(), failed.code());
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
            boolean handedOver = operation != QueueOperation.DEPROVISION && handOverToNextOperation(entryId);
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

    /** Puts one failed row back to pending with fresh attempts; returns whether it was failed. */
    public boolean requeueFailed(long entryId) {
        return em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET status = 'pending', attempts = 0, next_attempt_at = now(),
                               unavailable_since = NULL, unavailable_attempts = 0, updated_at = now()
                         WHERE id = ?1 AND status = 'failed'""")
                .setParameter(1, entryId)
                .executeUpdate() == 1;
    }

    @Transactional(TxType.SUPPORTS)
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
