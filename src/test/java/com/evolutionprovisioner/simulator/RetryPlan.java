package com.evolutionprovisioner.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * How a test runs Evolution's retry schedule for one delivery.
 *
 * @param timeFactor   how fast simulated time runs: every wait (retry delays, and the request timeout a lost attempt
 *                     waits out) is the real one times this factor, e.g. 0.001 turns 5 s into 5 ms
 * @param lostAttempts the first this many attempts are lost in the network: never sent, recorded as lost with status
 *                     0, and retried per the schedule, as Evolution retries a timed-out request
 * @param startedAgo   the event was first emitted this long ago: the prepared body's {@code date_time}, the token's
 *                     {@code iat} and {@code X-Timestamp} are from then, which is what a retry 20 minutes after the first
 *                     attempt looks like on the wire
 */
public record RetryPlan(double timeFactor, int lostAttempts, Duration startedAgo) {

    /** Evolution's own pace: real delays, nothing lost, emitted now. */
    public static final RetryPlan REAL_TIME = new RetryPlan(1.0, 0, Duration.ZERO);

    public RetryPlan {
        if (!(timeFactor >= 0) || Double.isInfinite(timeFactor)) {
            throw new IllegalArgumentException("timeFactor must be a finite number >= 0, not " + timeFactor);
        }
        if (lostAttempts < 0) {
            throw new IllegalArgumentException("lostAttempts must be >= 0, not " + lostAttempts);
        }
        Objects.requireNonNull(startedAgo, "startedAgo");
        if (startedAgo.isNegative()) {
            throw new IllegalArgumentException("startedAgo must not be negative: " + startedAgo);
        }
    }

    /** The schedule at {@code timeFactor} speed, nothing lost, emitted now. */
    public static RetryPlan scaled(double timeFactor) {
        return new RetryPlan(timeFactor, 0, Duration.ZERO);
    }

    Duration scale(Duration real) {
        return Duration.ofNanos(Math.round(real.toNanos() * timeFactor));
    }
}
