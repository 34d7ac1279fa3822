package com.evolutionprovisioner.platform.health;

import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * A readiness check anyone may call, as often as they like, without a token. So its probe (a call to Evolution, a
 * database connection, a broker round trip) runs at most once every {@link #MAX_AGE}, however many probes arrive;
 * and its public answer is its name and UP or DOWN only: error text and figures stay in {@link #latest()}, for the
 * service role. MicroProfile Health has no way to show data to some callers only.
 */
public abstract class CachedReadinessCheck implements HealthCheck {

    static final Duration MAX_AGE = Duration.ofSeconds(2);

    private ProbeResult latest;
    private long takenAt;

    /** Looks at the dependency now. */
    protected abstract ProbeResult probe();

    @Override
    public HealthCheckResponse call() {
        ProbeResult result = latest();
        return HealthCheckResponse.named(result.name()).status(result.up()).build();
    }

    /**
     * The last probe's result, probing again when it is older than {@link #MAX_AGE}. Callers arriving while a probe
     * runs wait for it and share its result.
     */
    public synchronized ProbeResult latest() {
        if (latest == null || System.nanoTime() - takenAt >= MAX_AGE.toNanos()) {
            latest = probe();
            takenAt = System.nanoTime();
        }
        return latest;
    }
}
