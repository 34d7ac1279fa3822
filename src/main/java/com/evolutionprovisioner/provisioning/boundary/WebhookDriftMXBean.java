package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.entity.WebhookVerificationReport;

/** Webhook drift repair in JConsole and VisualVM: {@code com.evolutionprovisioner:type=WebhookDrift}. */
public interface WebhookDriftMXBean {

    /** Reads back every completed instance's webhook and configures again those that drifted; returns the counts. */
    WebhookVerificationReport verifyAllNow();
}
