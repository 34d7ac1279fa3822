package com.evolutionprovisioner.security;

import javax.management.ConstructorParameters;

/**
 * What one "re-encrypt every stored secret" pass did, counted in stored values: rewritten under the current key,
 * already current (and verified), failed (unreadable, left as they were and logged). A class with getters rather
 * than a record so that JMX can show it.
 */
public final class ReencryptionReport {

    private final String keyId;
    private final long rewritten;
    private final long alreadyCurrent;
    private final long failed;

    @ConstructorParameters({"keyId", "rewritten", "alreadyCurrent", "failed"})
    public ReencryptionReport(String keyId, long rewritten, long alreadyCurrent, long failed) {
        this.keyId = keyId;
        this.rewritten = rewritten;
        this.alreadyCurrent = alreadyCurrent;
        this.failed = failed;
    }

    /** The id of the key every readable value is now encrypted under. */
    public String getKeyId() {
        return keyId;
    }

    public long getRewritten() {
        return rewritten;
    }

    public long getAlreadyCurrent() {
        return alreadyCurrent;
    }

    public long getFailed() {
        return failed;
    }

    @Override
    public String toString() {
        return "rewritten " + rewritten + ", already current " + alreadyCurrent + ", failed " + failed
                + " (key id " + keyId + ")";
    }
}
