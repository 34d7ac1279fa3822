package com.evolutionprovisioner.simulator;

import java.time.Duration;
import java.util.List;

/**
 * What became of one event Evolution delivered with its retries: every attempt in order, whether the receiver finally
 * accepted it (a 2xx), and the {@code Authorization} header (null when none) and body that every attempt carried.
 */
public record DeliveryAttempts(List<Attempt> attempts, boolean accepted, String authorization, String body) {

    public DeliveryAttempts {
        attempts = List.copyOf(attempts);
    }

    /**
     * One attempt.
     *
     * @param status      the receiver's status; 0 when lost in the network or failed on I/O (refused, timed out)
     * @param lost        lost in the network by the plan: never sent
     * @param detail      the receiver's response body, or what went wrong
     * @param delayBefore how long Evolution waited since the previous attempt failed (zero for the first), scaled
     */
    public record Attempt(int status, boolean lost, String detail, Duration delayBefore) {
    }

    /** Every attempt's status, in order. */
    public List<Integer> statuses() {
        return attempts.stream().map(Attempt::status).toList();
    }
}
