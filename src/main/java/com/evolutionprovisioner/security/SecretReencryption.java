package com.evolutionprovisioner.security;

import java.util.logging.Logger;

/**
 * One pass of "re-encrypt every stored secret": the owners of encrypted columns hand each value to
 * {@link #reencrypt} and store what it returns; the pass counts the outcomes for its {@link ReencryptionReport}.
 */
public final class SecretReencryption {

    private static final Logger LOG = Logger.getLogger(SecretReencryption.class.getName());

    private final SecretCipher cipher;
    private long rewritten;
    private long alreadyCurrent;
    private long failed;

    public SecretReencryption(SecretCipher cipher) {
        this.cipher = cipher;
    }

    /** The value to store now (see {@link SecretCipher#reencrypt}); an unreadable value is logged and kept as it is. */
    public String reencrypt(String stored, SecretLocation location) {
        if (stored == null) {
            return null;
        }
        try {
            String now = cipher.reencrypt(stored, location);
            if (now.equals(stored)) {
                alreadyCurrent++;
            } else {
                rewritten++;
            }
            return now;
        } catch (UnreadableSecretException unreadable) {
            failed++;
            LOG.severe(() -> "Re-encryption left a value as it was: " + unreadable.getMessage());
            return stored;
        }
    }

    public ReencryptionReport report() {
        return new ReencryptionReport(cipher.keyId(), rewritten, alreadyCurrent, failed);
    }
}
