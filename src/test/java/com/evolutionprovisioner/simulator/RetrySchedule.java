package com.evolutionprovisioner.simulator;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import java.time.Duration;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * When Evolution posts a failed delivery again, per release ({@code webhook.controller.ts}, {@code retryWebhookRequest},
 * defaults of {@code env.config.ts}): 1.x and 2.0 post once; 2.2.1 to 2.2.3 retry any failure, 401 included, every 30 s,
 * 10 attempts in all; since 2.3.0 up to 10 attempts, the delay after the n-th failure {@code min(5 s * 2^(n-1), 300 s)}
 * with ±20 % jitter but never under 5 s, and no retry at all after 400, 401, 403, 404 or 422.
 */
enum RetrySchedule {
    SINGLE_ATTEMPT, EVERY_30_SECONDS, EXPONENTIAL;

    /** WEBHOOK_REQUEST_TIMEOUT_MS: an attempt without an answer by then is a failure (retried like an I/O error). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private static final Set<Integer> NON_RETRYABLE = Set.of(400, 401, 403, 404, 422);
    private static final double INITIAL_DELAY_SECONDS = 5;
    private static final double MAX_DELAY_SECONDS = 300;
    private static final double JITTER_FACTOR = 0.2;

    static RetrySchedule of(ServerVersion version) {
        return switch (version) {
            case V1, V2_0 -> SINGLE_ATTEMPT;
            case V2_2 -> EVERY_30_SECONDS;
            case V2_1, V2_4 -> EXPONENTIAL;
        };
    }

    int maxAttempts() {
        return this == SINGLE_ATTEMPT ? 1 : 10;
    }

    /** Whether an attempt that failed with {@code status} (0: no answer) is tried again, attempts permitting. */
    boolean retries(int status) {
        return this != EXPONENTIAL || !NON_RETRYABLE.contains(status);
    }

    /** The delay after the {@code failedAttempts}-th failed attempt, before the next one. */
    Duration delayAfter(int failedAttempts, RandomGenerator random) {
        if (this == EVERY_30_SECONDS) {
            return Duration.ofSeconds(30);
        }
        double nominal = nominalSeconds(failedAttempts);
        double jittered = nominal + nominal * JITTER_FACTOR * (random.nextDouble() * 2 - 1);
        return Duration.ofNanos(Math.round(Math.max(INITIAL_DELAY_SECONDS, jittered) * 1e9));
    }

    /** The exponential delay before jitter: 5, 10, 20, 40, 80, 160, 300, 300, ... seconds. */
    static double nominalSeconds(int failedAttempts) {
        return Math.min(INITIAL_DELAY_SECONDS * Math.pow(2, failedAttempts - 1), MAX_DELAY_SECONDS);
    }
}
