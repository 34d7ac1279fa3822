package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UserId;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Consumer;

/** Our record of each user's Evolution instance: one per user, enforced by the table's unique keys. */
@Stateless
public class InstanceRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();

    @PersistenceContext
    EntityManager em;

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
                // The native insert bypasses the entity's converter, so it encrypts the new key itself. Not read when the
                // bean is constructed: Payara builds one while loading the EJBs, before a missing key can be reported.
                .setParameter(3, SecretCipher.configured().encrypt(newWebhookKey()))
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
        instance.ifPresent(record -> record.rotateWebhookKey(newWebhookKey()));
        return instance;
    }

    /** 32 random bytes, URL-safe: the HS256 key Evolution signs this instance's deliveries with. */
    static String newWebhookKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }
}
