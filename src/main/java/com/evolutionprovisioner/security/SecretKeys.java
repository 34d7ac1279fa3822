package com.evolutionprovisioner.security;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The deployment's {@link SecretCipher}: SECRETS_KEY encrypts and decrypts, SECRETS_KEY_PREVIOUS (optional) only
 * decrypts, for the time of a key rotation. Also owns the fact that changes what is readable: once a re-encryption
 * of every stored secret has completed (table {@code secret_reencryptions}), unencrypted values are refused.
 */
@ApplicationScoped
public class SecretKeys {

    private static final Logger LOG = Logger.getLogger(SecretKeys.class.getName());

    @Inject
    @ConfigProperty(name = "secrets.key")
    String currentKey;

    @Inject
    @ConfigProperty(name = "secrets.key.previous")
    Optional<String> previousKey;

    @Inject
    @ConfigProperty(name = "event.ticket.ttl")
    Duration eventTicketTtl;

    @PersistenceContext
    EntityManager em;

    private SecretCipher cipher;

    @PostConstruct
    void readKeys() {
        cipher = new SecretCipher(decode("SECRETS_KEY", currentKey),
                previousKey.map(key -> decode("SECRETS_KEY_PREVIOUS", key)).orElse(null), this::reencryptionCompleted);
    }

    /** Reads the keys at deployment, so that a malformed key stops the deployment, not the first provisioning. */
    void announceKeys(@Observes @Initialized(ApplicationScoped.class) Object deployed) {
        LOG.info(() -> "Secrets are written under SECRETS_KEY, key id " + cipher.keyId()
                + previousKey.map(key -> "; SECRETS_KEY_PREVIOUS, key id "
                + SecretCipher.keyIdOf(decode("SECRETS_KEY_PREVIOUS", key)) + ", is read too").orElse(""));
    }

    @Produces
    SecretCipher cipher() {
        return cipher;
    }

    /** Event stream tickets, signed under a key derived from SECRETS_KEY: no secret of their own to set or leak. */
    @Produces
    EventTickets eventTickets() {
        return new EventTickets(decode("SECRETS_KEY", currentKey), eventTicketTtl, Clock.systemUTC());
    }

    /**
     * Whether a re-encryption has completed. Asked of the database each time an unencrypted value is met (rare:
     * rows from before encryption), so every node refuses them as soon as any node has re-encrypted.
     */
    boolean reencryptionCompleted() {
        return (Boolean) em.createNativeQuery("SELECT EXISTS (SELECT 1 FROM secret_reencryptions)")
                .setFlushMode(FlushModeType.COMMIT)
                .getSingleResult();
    }

    /** Records a pass that went through every stored secret: from now on unencrypted values are refused. */
    @Transactional
    public void recordReencryption(ReencryptionReport report) {
        em.createNativeQuery("""
                        INSERT INTO secret_reencryptions (key_id, rewritten, already_current, failed)
                        VALUES (?1, ?2, ?3, ?4)""")
                .setParameter(1, report.getKeyId())
                .setParameter(2, report.getRewritten())
                .setParameter(3, report.getAlreadyCurrent())
                .setParameter(4, report.getFailed())
                .executeUpdate();
    }

    private static byte[] decode(String variable, String base64) {
        try {
            return Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + " must be base64 of 32 bytes (openssl rand -base64 32)");
        }
    }
}
