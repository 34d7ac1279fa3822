package com.evolutionprovisioner.provisioning.entity;

import javax.management.ConstructorParameters;

/**
 * What reconnecting the quiet instances did: reconnected (a restart, or a new QR code for one found closed) and
 * failed (each logged). A class with getters rather than a record so that JMX can show it.
 */
public final class QuietReconnectReport {

    private final long reconnected;
    private final long failed;

    @ConstructorParameters({"reconnected", "failed"})
    public QuietReconnectReport(long reconnected, long failed) {
        this.reconnected = reconnected;
        this.failed = failed;
    }

    public long getReconnected() {
        return reconnected;
    }

    public long getFailed() {
        return failed;
    }

    @Override
    public String toString() {
        return "reconnected " + reconnected + ", failed " + failed;
    }
}
