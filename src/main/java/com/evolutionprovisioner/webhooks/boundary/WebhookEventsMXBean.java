package com.evolutionprovisioner.webhooks.boundary;

/** Stored webhook events as JConsole and VisualVM show them: {@code com.evolutionprovisioner:type=WebhookEvents}. */
public interface WebhookEventsMXBean {

    /** Events that could not be applied and wait for an operator. */
    long getDeadLetterCount();

    /** Queues every dead letter again; returns how many. */
    int replayDeadLetters();

    /** Deletes applied events older than WEBHOOK_RETENTION now; returns how many. */
    int purgeExpired();
}
