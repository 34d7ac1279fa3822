package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.SecretReencryption;
import com.evolutionprovisioner.security.UserId;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Our record of each user's Evolution instance: one per user, enforced by the table's unique keys. The only writer of
 * evolution_instances: other components (webhook events) record what they learn through it.
 */
@Stateless
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
        em.createNativeQuery("""
                        INSERT INTO evolution_instances (user_id, instance_name, webhook_key, webhook_auth)
                        VALUES (?1, ?2, ?3, ?4)
                        ON CONFLICT (user_id) DO NOTHING""")
                .setParameter(1, userId.value())
                .setParameter(2, InstanceName.forUser(userId).value())
                .setParameter(3, secrets.encrypt(newWebhookKey(),
                        EvolutionInstance.secretLocation(userId, EvolutionInstance.WEBHOOK_KEY)))
                .setParameter(4, auth.dbValue())
                .executeUpdate();
        return findByUser(userId).orElseThrow();
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
     * event's state is recorded already. One UPDATE in the caller's transaction: it runs once per event.
     */
    public void recordDeliveredConnectionState(InstanceName name, String state, OffsetDateTime eventAt) {
        em.createNativeQuery("""
                        UPDATE evolution_instances SET connection_state = ?1, connection_updated_at = now(),
                               connection_event_at = ?2, updated_at = now()
                         WHERE instance_name = ?3 AND (connection_event_at IS NULL OR connection_event_at <= ?2)""")
                .setParameter(1, state)
                .setParameter(2, eventAt)
                .setParameter(3, name.value())
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

    /** How many instances have completed provisioning: the ones whose webhook is kept under watch. */
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

    /**
     * Takes up to {@code limit} completed instances whose webhook was last verified more than {@code dueAfter}
     * ago (or never), oldest first, and marks them verified now: every node's timer takes different ones, and one
     * that fails comes back only after {@code dueAfter}, so a broken instance cannot hold up the others.
     */
    public List<UserId> claimDueForWebhookCheck(int limit, Duration dueAfter) {
        List<?> ids = em.createNativeQuery("""
                        UPDATE evolution_instances SET webhook_verified_at = now()
                         WHERE id IN (SELECT i.id FROM evolution_instances i
                                        JOIN evolution_instance_creation_queue q ON q.user_id = i.user_id
                                       WHERE q.status = 'completed'
                                         AND (i.webhook_verified_at IS NULL
                                              OR i.webhook_verified_at < now() - ?2 * interval '1 millisecond')
                                       ORDER BY i.webhook_verified_at NULLS FIRST, i.id
                                       LIMIT ?1
                                         FOR UPDATE OF i SKIP LOCKED)
                        RETURNING user_id""")
                .setParameter(1, limit)
                .setParameter(2, dueAfter.toMillis())
                .getResultList();
        return ids.stream().map(id -> new UserId((UUID) id)).toList();
    }

    /** 32 random bytes, URL-safe: the HS256 key Evolution signs this instance's deliveries with. */
    static String newWebhookKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }
}
