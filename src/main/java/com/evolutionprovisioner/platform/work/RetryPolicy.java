package com.evolutionprovisioner.platform.work;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.Config;

/**
 * How a durable work pipeline retries a failed item: at most {@code maxAttempts} attempts, waiting
 * {@code firstBackoff} after the first failure and twice as long after each further one, never longer than
 * {@code maxBackoff}. Written once so that every pipeline backs off alike; each reads its own numbers from configuration.
 */
public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {

    /** Beyond 2^30 × the first back-off every realistic cap has long been reached; it also keeps the product finite. */
    private static final int MAX_DOUBLINGS = 30;

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("At least one attempt is needed, not " + maxAttempts);
        }
        if (firstBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("A back-off cannot be negative: " + firstBackoff + ", " + maxBackoff);
        }
    }

    /** The policy under {@code prefix}: {@code <prefix>.max.attempts}, {@code <prefix>.retry.backoff}, {@code <prefix>.max.backoff}. */
    public static RetryPolicy fromConfig(Config config, String prefix) {
        return fromConfig(config, prefix, prefix + ".max.backoff");
    }

    /** The same, with the cap under a key of its own (provisioning's, QUEUE_UNAVAILABLE_MAX_BACKOFF, is older than this class). */
    public static RetryPolicy fromConfig(Config config, String prefix, String maxBackoffKey) {
        return new RetryPolicy(config.getValue(prefix + ".max.attempts", Integer.class),
                config.getValue(prefix + ".retry.backoff", Duration.class),
                config.getValue(maxBackoffKey, Duration.class));
    }

    /** The same attempts and first back-off, doubling without a cap (provisioning's refusals, QUEUE_RETRY_BACKOFF × 2ⁿ). */
    public RetryPolicy uncapped() {
        return new RetryPolicy(maxAttempts, firstBackoff, ChronoUnit.FOREVER.getDuration());
    }

    /** Whether an item that has used {@code attempts} attempts gets another one. */
    public boolean allowsAnotherAfter(int attempts) {
        return attempts < maxAttempts;
    }

    /** The wait after the {@code failures}-th consecutive failure: firstBackoff × 2^(failures-1), at most maxBackoff. */
    public Duration backoffAfter(int failures) {
        int doublings = Math.min(Math.max(failures - 1, 0), MAX_DOUBLINGS);
        Duration backoff = firstBackoff.multipliedBy(1L << doublings);
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }

    /**
     * {@link #backoffAfter} for 1, 2, … failures, up to the count after which it no longer changes: for a pipeline
     * whose single SQL statement picks a row's back-off by the row's own failure count, the last entry standing for
     * every higher count, so that the formula is not written again in SQL.
     */
    public List<Duration> schedule() {
        return IntStream.rangeClosed(1, MAX_DOUBLINGS + 1).mapToObj(this::backoffAfter).toList();
    }
}
