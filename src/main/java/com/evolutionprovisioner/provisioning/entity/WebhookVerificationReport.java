package com.evolutionprovisioner.provisioning.entity;

import javax.management.ConstructorParameters;

/**
 * What one pass of webhook read-backs found, in instances: in force as configured (verified), drifted and configured
 * again, confirmed by a read-back (repaired), and not checked or not repaired (failed, each logged). A class
 * with getters rather than a record so that JMX can show it.
 */
public final class WebhookVerificationReport {

    private final long verified;
    private final long repaired;
    private final long failed;

    @ConstructorParameters({"verified", "repaired", "failed"})
    public WebhookVerificationReport(long verified, long repaired, long failed) {
        this.verified = verified;
        this.repaired = repaired;
        this.failed = failed;
    }

    public long getVerified() {
        return verified;
    }

    public long getRepaired() {
        return repaired;
    }

    public long getFailed() {
        return failed;
    }

    @Override
    public String toString() {
        return "verified " + verified + ", repaired " + repaired + ", failed " + failed;
    }
}
