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
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/** Our record of each user's Evolution instance: one per user, enforced by the table's unique keys. */
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

    /** Applies a change to the user's record and commits it. */
    public EvolutionInstance update(UserId userId, Consumer<EvolutionInstance> change) {
        EvolutionInstance instance = findByUser(userId).orElseThrow();
        change.accept(instance);
        return instance;
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

    /** 32 random bytes, URL-safe: the HS256 key Evolution signs this instance's deliveries with. */
    static String newWebhookKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }
}
