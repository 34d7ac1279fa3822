package com.evolutionprovisioner.evolution.control;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter: 800 → 1600 → 3200 ms by default, each delay moved by up to ±{@code jitter}.
 * MicroProfile's {@code @Retry} only knows a fixed delay, so the schedule lives here and {@link EvolutionClient}
 * loops over it around the fault-tolerant call.
 */
public record RetrySchedule(int maxRetries, Duration initialDelay, double multiplier, double jitter) {

    public RetrySchedule {
        if (maxRetries < 0 || initialDelay.isNegative() || multiplier < 1 || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("Invalid retry schedule");
        }
    }

    public static RetrySchedule standard() {
        return new RetrySchedule(3, Duration.ofMillis(800), 2.0, 0.2);
    }

    /** The delay before retry number {@code retry} (1-based), without jitter. */
    public Duration nominalDelay(int retry) {
        if (retry < 1 || retry > maxRetries) {
            throw new IllegalArgumentException("retry " + retry + " outside 1.." + maxRetries);
        }
        return Duration.ofMillis(Math.round(initialDelay.toMillis() * Math.pow(multiplier, retry - 1)));
    }

    /** The delay to actually wait: the nominal one moved by a random share of at most {@code jitter}. */
    public Duration delay(int retry) {
        long nominal = nominalDelay(retry).toMillis();
        double factor = 1 + ThreadLocalRandom.current().nextDouble(-jitter, jitter + Double.MIN_VALUE);
        return Duration.ofMillis(Math.max(0, Math.round(nominal * factor)));
    }
}
