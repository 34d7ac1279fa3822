package com.evolutionprovisioner.provisioning.control;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import com.evolutionprovisioner.evolution.entity.ConnectionState;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.StateSource;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.SecretReencryption;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Our record of each user's Evolution instance: one per user, enforced by the table's unique keys. The only writer of
 * evolution_instances: other components (webhook events) record what they learn through it.
 */
@ApplicationScoped
@Transactional
public class InstanceRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();

    @PersistenceContext
    EntityManager em;

    @Inject
    SecretCipher secrets;

    /**
     * The user's instance record, created on first use with the canonical name and a fresh webhook key. Written
     * before Evolution is called, so a later attempt reuses the same name and key whatever happened in between.
     */
    public EvolutionInstance findOrCreate(UserId userId, WebhookAuth auth) {
        // One round trip: the UNION's second half reads the statement's snapshot, so it answers only when the row
        // was there already.
        return (EvolutionInstance) em.createNativeQuery("""
                        WITH inserted AS (
                            INSERT INTO evolution_instances (user_id, instance_name, webhook_key, webhook_auth)
                            VALUES (?1, ?2, ?3, ?4)
                            ON CONFLICT (user_id) DO NOTHING
                            RETURNING *)
                        SELECT * FROM inserted
                        UNION ALL
                        SELECT * FROM evolution_instances WHERE user_id = ?1 AND NOT EXISTS (SELECT 1 FROM inserted)""",
                        EvolutionInstance.class)
                .setParameter(1, userId.value())
                .setParameter(2, InstanceName.forUser(userId).value())
                .setParameter(3, secrets.encrypt(newWebhookKey(),
                        EvolutionInstance.secretLocation(userId, EvolutionInstance.WEBHOOK_KEY)))
                .setParameter(4, auth.dbValue())
                .getSingleResult();
    }

    public Optional<EvolutionInstance> findByUser(UserId userId) {
        return em.createQuery("SELECT i FROM EvolutionInstance i WHERE i.userId = :user", EvolutionInstance.class)
                .setParameter("user", userId.value())
                .getResultStream().findFirst();
    }

    public Optional<EvolutionInstance> findByName(InstanceName name) {
        return em.createQuery("SELECT i FROM EvolutionInstance i WHERE i.instanceName = :name", EvolutionInstance.class)
                .setParameter("name", name.value())
                .getResultStream().findFirst();
    }

    /** Deletes the connection history of an instance (keyed by its name, so no cascade reaches it); returns the rows. */
    public int eraseConnectionHistory(InstanceName name) {
        return em.createNativeQuery("DELETE FROM instance_connection_history WHERE instance_name = ?1")
                .setParameter(1, name.value())
                .executeUpdate();
    }

    /** Deletes the user's instance record, its keys and Evolution token with it. Returns whether there was one. */
    public boolean erase(UserId userId) {
        return em.createNativeQuery("DELETE FROM evolution_instances WHERE user_id = ?1")
                .setParameter(1, userId.value())
                .executeUpdate() == 1;
    }

    /** Applies a change to the user's record, in the caller's transaction or (called outside one) its own. */
    public EvolutionInstance update(UserId userId, Consumer<EvolutionInstance> change) {
        EvolutionInstance instance = findByUser(userId).orElseThrow();
        change.accept(instance);
        return instance;
    }

    /**
     * A QR code Evolution delivered for the instance, kept unless the code of a later event is recorded already
     * (deliveries arrive late and out of order). One UPDATE in the caller's transaction: it runs once per event.
     */
    public void recordDeliveredQrCode(InstanceName name, String qrCode, OffsetDateTime eventAt) {
        em.createNativeQuery("""
                        UPDATE evolution_instances SET qr_code = ?1, qr_code_updated_at = now(), qr_code_event_at = ?2,
                               updated_at = now()
                         WHERE instance_name = ?3 AND (qr_code_event_at IS NULL OR qr_code_event_at <= ?2)""")
                .setParameter(1, qrCode)
                .setParameter(2, eventAt)
                .setParameter(3, name.value())
                .executeUpdate();
    }

    /**
     * A connection state Evolution delivered for the instance (its word, stored as given), kept unless a later
     * event's state is recorded already, or the state was read from Evolution itself after the delivery was
     * {@code receivedAt} (a reading is fresher than a delivery applied after it). One UPDATE in the caller's
     * transaction: it runs once per event.
     */
    public void recordDeliveredConnectionState(InstanceName name, String state, OffsetDateTime eventAt,
                                               OffsetDateTime receivedAt) {
        em.createNativeQuery("""
                        UPDATE evolution_instances SET connection_state = ?1, connection_updated_at = now(),
                               connection_event_at = ?2, updated_at = now()
                         WHERE instance_name = ?3 AND (connection_event_at IS NULL OR connection_event_at <= ?2)
                           AND (connection_observed_at IS NULL OR connection_observed_at <= ?4)""")
                .setParameter(1, state)
                .setParameter(2, eventAt)
                .setParameter(3, name.value())
                .setParameter(4, receivedAt)
                .executeUpdate();
    }

    /** Gives the user's instance a new webhook key (the old one keeps working for a grace period). */
    public Optional<EvolutionInstance> rotateWebhookKey(UserId userId) {
        Optional<EvolutionInstance> instance = findByUser(userId);
        instance.ifPresent(record -> record.rotateWebhookKey(newWebhookKey(), secrets));
        return instance;
    }

    /**
     * Re-encrypts the secrets of the next rows by id after {@code afterId}, at most {@code batchSize}, locked until
     * this transaction commits so that no concurrent change is overwritten. Returns the last id, empty when no row
     * was left.
     */
    public OptionalLong reencryptSecrets(long afterId, int batchSize, SecretReencryption pass) {
        List<EvolutionInstance> batch = em.createQuery(
                        "SELECT i FROM EvolutionInstance i WHERE i.id > :after ORDER BY i.id", EvolutionInstance.class)
                .setParameter("after", afterId)
                .setMaxResults(batchSize)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultList();
        batch.forEach(instance -> instance.reencryptSecrets(pass));
        return batch.isEmpty() ? OptionalLong.empty() : OptionalLong.of(batch.get(batch.size() - 1).getId());
    }

    /** How many instances have completed provisioning: those whose webhook and connection state are kept under watch. */
    public long countCompleted() {
        return ((Number) em.createNativeQuery("""
                        SELECT count(*) FROM evolution_instances i
                          JOIN evolution_instance_creation_queue q ON q.user_id = i.user_id
                         WHERE q.status = 'completed'""")
                .getSingleResult()).longValue();
    }

    /** The users of every completed instance, oldest-verified first. */
    public List<UserId> completedUsers() {
        List<?> ids = em.createNativeQuery("""
                        SELECT i.user_id FROM evolution_instances i
                          JOIN evolution_instance_creation_queue q ON q.user_id = i.user_id
                         WHERE q.status = 'completed'
                         ORDER BY i.webhook_verified_at NULLS FIRST, i.id""")
                .getResultList();
        return ids.stream().map(id -> new UserId((UUID) id)).toList();
    }

    /** Claims instances due for the webhook read-back (see {@link #claimDue}). */
    public List<UserId> claimDueForWebhookCheck(int limit, Duration dueAfter) {
        return claimDue("webhook_verified_at", limit, dueAfter);
    }

    /** Claims instances due for the comparison of their connection state with Evolution's (see {@link #claimDue}). */
    public List<UserId> claimDueForStateCheck(int limit, Duration dueAfter) {
        return claimDue("state_checked_at", limit, dueAfter);
    }

    /**
     * Takes up to {@code limit} completed instances whose check (its time in column {@code checkedAt}) was last done
     * more than {@code dueAfter} ago (or never), oldest first, and marks them checked now: every node's timer takes
     * different ones, and one that fails comes back only after {@code dueAfter}, so a broken instance cannot hold up
     * the others.
     */
    private List<UserId> claimDue(String checkedAt, int limit, Duration dueAfter) {
        List<?> ids = em.createNativeQuery("""
                        UPDATE evolution_instances SET %1$s = now()
                         WHERE id IN (SELECT i.id FROM evolution_instances i
                                        JOIN evolution_instance_creation_queue q ON q.user_id = i.user_id
                                       WHERE q.status = 'completed'
                                         AND (i.%1$s IS NULL OR i.%1$s < now() - ?2 * interval '1 millisecond')
                                       ORDER BY i.%1$s NULLS FIRST, i.id
                                       LIMIT ?1
                                         FOR UPDATE OF i SKIP LOCKED)
                        RETURNING user_id""".formatted(checkedAt))
                .setParameter(1, limit)
                .setParameter(2, dueAfter.toMillis())
                .getResultList();
        return ids.stream().map(id -> new UserId((UUID) id)).toList();
    }

    /**
     * Evolution answered {@code observed} to a state check of the user's instance, asked while our record's state
     * dated from {@code recordedAt} (its connection_updated_at then). Corrects the record, and adds the state to its
     * history, when they disagree ({@link ConnectionState#agreesWith}), unless newer news arrived meanwhile (a webhook, the owner's connect): returns
     * whether it corrected. The owner hears of it through the event stream, which follows connection_state.
     */
    public boolean correctConnectionState(UserId userId, OffsetDateTime recordedAt, ConnectionState observed) {
        Optional<EvolutionInstance> locked = findByUserForUpdate(userId);
        if (locked.isEmpty() || !sameInstant(locked.get().getConnectionUpdatedAt(), recordedAt)
                || observed.agreesWith(locked.get().getConnectionState())) {
            return false;
        }
        EvolutionInstance instance = locked.get();
        instance.recordConnectionState(observed);
        recordConnectionHistory(instance.getInstanceName().value(), observed.wireName(), null, OffsetDateTime.now(),
                StateSource.STATE_CHECK);
        return true;
    }

    /**
     * Evolution does not know the user's instance (deleted, or lost in a restart): what we recorded of it is
     * forgotten, as provisioning does on a 404, and it is recorded {@code close} (a new instance has no phone linked),
     * so that re-provisioning adopts or creates it again.
     */
    public void recordInstanceMissing(UserId userId) {
        findByUserForUpdate(userId).ifPresent(instance -> {
            instance.forgetEvolutionIdentity();
            if (!ConnectionState.CLOSE.wireName().equals(instance.getConnectionState())) {
                instance.recordConnectionState(ConnectionState.CLOSE);
                recordConnectionHistory(instance.getInstanceName().value(), ConnectionState.CLOSE.wireName(), null,
                        OffsetDateTime.now(),
                        StateSource.STATE_CHECK);
            }
        });
    }

    /**
     * Adds a state to the instance's connection history; {@code eventAt} is when it held, as well as we know. The name
     * is a plain string, as deliveries carry it: an event is never lost to a name we would not generate.
     */
    public void recordConnectionHistory(String instanceName, String state, Integer statusReason, OffsetDateTime eventAt,
                                        StateSource source) {
        em.createNativeQuery("""
                        INSERT INTO instance_connection_history (instance_name, state, status_reason, event_at, source)
                        VALUES (?1, ?2, CAST(?3 AS integer), ?4, ?5)""")
                .setParameter(1, instanceName)
                .setParameter(2, state)
                .setParameter(3, statusReason)
                .setParameter(4, eventAt)
                .setParameter(5, source.dbValue())
                .executeUpdate();
    }

    /**
     * Message events of these instances were received, the latest at the given time (our clock: Evolution's may run
     * hours off): they are not quiet. Written at most once a minute per instance, since a busy one sends many events,
     * except that a quiet flag is cleared by the first newer event. Never moves the time backwards (a late retry, a
     * replay). One statement for a whole batch of events; the rows are locked in name order, so batches applied at the
     * same time cannot deadlock.
     */
    public void recordTraffic(Map<String, OffsetDateTime> latestReceivedAt) {
        JsonArrayBuilder traffic = JSON.createArrayBuilder();
        latestReceivedAt.forEach((instanceName, receivedAt) -> traffic.add(JSON.createObjectBuilder()
                .add("instance_name", instanceName).add("received_at", receivedAt.toString())));
        em.createNativeQuery("""
                        WITH due AS (
                            SELECT i.id, traffic.received_at
                              FROM evolution_instances i
                              JOIN jsonb_to_recordset(CAST(?1 AS jsonb)) AS traffic(instance_name text, received_at timestamptz)
                                ON traffic.instance_name = i.instance_name
                             WHERE i.last_traffic_at IS NULL
                                OR i.last_traffic_at < traffic.received_at - interval '1 minute'
                                OR (i.quiet_since IS NOT NULL AND i.last_traffic_at < traffic.received_at)
                             ORDER BY i.instance_name
                               FOR UPDATE OF i)
                        UPDATE evolution_instances SET last_traffic_at = due.received_at, quiet_since = NULL
                          FROM due WHERE evolution_instances.id = due.id""")
                .setParameter(1, traffic.build().toString())
                .executeUpdate();
    }

    /**
     * Flags open instances that had traffic within {@code activeWithin} but none for {@code quietAfter}, and unflags
     * those no longer open (then they are disconnected, which their state says). Returns the newly flagged.
     */
    public List<EvolutionInstance> flagQuiet(Duration quietAfter, Duration activeWithin) {
        em.createNativeQuery("""
                        UPDATE evolution_instances SET quiet_since = NULL
                         WHERE quiet_since IS NOT NULL AND connection_state IS DISTINCT FROM 'open'""")
                .executeUpdate();
        List<?> ids = em.createNativeQuery("""
                        UPDATE evolution_instances SET quiet_since = now()
                         WHERE quiet_since IS NULL AND connection_state = 'open'
                           AND last_traffic_at <= now() - ?1 * interval '1 millisecond'
                           AND last_traffic_at > now() - ?2 * interval '1 millisecond'
                        RETURNING id""")
                .setParameter(1, quietAfter.toMillis())
                .setParameter(2, activeWithin.toMillis())
                .getResultList();
        return ids.isEmpty() ? List.of() : em.createQuery(
                        "SELECT i FROM EvolutionInstance i WHERE i.id IN :ids ORDER BY i.id", EvolutionInstance.class)
                .setParameter("ids", ids.stream().map(id -> ((Number) id).longValue()).toList())
                .getResultList();
    }

    /** The instances flagged quiet, the longest quiet first. */
    public List<EvolutionInstance> quietInstances() {
        return em.createQuery("SELECT i FROM EvolutionInstance i WHERE i.quietSince IS NOT NULL "
                        + "ORDER BY i.quietSince, i.id", EvolutionInstance.class)
                .getResultList();
    }

    public long countQuiet() {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM evolution_instances WHERE quiet_since IS NOT NULL")
                .getSingleResult()).longValue();
    }

    private Optional<EvolutionInstance> findByUserForUpdate(UserId userId) {
        return em.createQuery("SELECT i FROM EvolutionInstance i WHERE i.userId = :user", EvolutionInstance.class)
                .setParameter("user", userId.value())
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultStream().findFirst();
    }

    private static boolean sameInstant(OffsetDateTime a, OffsetDateTime b) {
        return a == null ? b == null : b != null && a.isEqual(b);
    }

    /** 32 random bytes, URL-safe: the HS256 key Evolution signs this instance's deliveries with. */
    static String newWebhookKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }
}
