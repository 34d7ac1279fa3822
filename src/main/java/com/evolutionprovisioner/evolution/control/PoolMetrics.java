package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Per-server gauges, tagged {@code server=<name>}: {@code evolution_server_instances} (placed there),
 * {@code evolution_server_capacity}, {@code evolution_server_circuit_state} (0 closed, 1 open, 2 half-open, as this
 * node sees it). The counters {@code evolution_server_failures_total}, {@code evolution_server_circuit_opened_total}
 * and {@code evolution_server_licence_required_total} are counted where they happen. Registered when a server is first
 * read; the placement counts are read at most every {@link #COUNTS_MAX_AGE}, however often /metrics is scraped.
 */
@ApplicationScoped
public class PoolMetrics {

    static final Duration COUNTS_MAX_AGE = Duration.ofSeconds(5);

    @Inject
    ApplicationMetrics metrics;

    @Inject
    EvolutionPool pool;

    @Inject
    ServerGuards guards;

    private final Set<String> tracked = ConcurrentHashMap.newKeySet();
    private volatile Map<String, Long> counts = Map.of();
    private volatile long countedAt;

    /** Registers the server's gauges, once per server. */
    void track(String server) {
        if (!tracked.add(server)) {
            return;
        }
        Tag tag = new Tag("server", server);
        metrics.gauge("evolution_server_instances", () -> placedOn(server), tag);
        metrics.gauge("evolution_server_capacity", () -> {
            ServerRoute route = pool.routes().get(server);
            return route == null ? 0 : route.capacity();
        }, tag);
        metrics.gauge("evolution_server_circuit_state",
                () -> guards.existing(server).map(guard -> guard.circuit().gauge()).orElse(0), tag);
    }

    private long placedOn(String server) {
        if (countedAt == 0 || System.nanoTime() - countedAt >= COUNTS_MAX_AGE.toNanos()) {
            counts = pool.placementCounts();
            countedAt = System.nanoTime();
        }
        return counts.getOrDefault(server, 0L);
    }
}
