package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Tag;

/**
 * One {@link ServerGuard} per Evolution server, sized by EVOLUTION_MAX_CONCURRENCY (calls at once to each server),
 * EVOLUTION_BULKHEAD_WAIT (how long a call waits for one of them to end) and EVOLUTION_CIRCUIT_DELAY (how long an open circuit waits before letting calls try again). Its openings are
 * counted in {@code evolution_server_circuit_opened_total{server}}; a circuit that closes again makes the server's
 * version be read anew (it may have been upgraded while it was down).
 */
@ApplicationScoped
public class ServerGuards implements ServerGuard.Transitions {

    private static final Logger LOG = Logger.getLogger(ServerGuards.class.getName());

    @Inject
    @ConfigProperty(name = "evolution.max.concurrency")
    int maxConcurrency;

    @Inject
    @ConfigProperty(name = "evolution.bulkhead.wait")
    Duration bulkheadWait;

    @Inject
    @ConfigProperty(name = "evolution.circuit.delay")
    Duration circuitDelay;

    @Inject
    ServerVersions versions;

    @Inject
    ApplicationMetrics metrics;

    private final Map<String, ServerGuard> guards = new ConcurrentHashMap<>();

    public ServerGuard of(String server) {
        return guards.computeIfAbsent(server,
                name -> new ServerGuard(name, maxConcurrency, bulkheadWait, circuitDelay, System::nanoTime, this));
    }

    /** The guard of a server this node has called, if any. */
    public Optional<ServerGuard> existing(String server) {
        return Optional.ofNullable(guards.get(server));
    }

    /** This node's recent failure rate of the server; 0 when it has not called it yet. */
    public double recentFailureRate(String server) {
        return existing(server).map(ServerGuard::recentFailureRate).orElse(0.0);
    }

    /** Whether this node deems the server unhealthy ({@link ServerGuard#isUnhealthy}); not when it never called it. */
    public boolean isUnhealthy(String server) {
        return existing(server).map(ServerGuard::isUnhealthy).orElse(false);
    }

    @Override
    public void opened(String server) {
        LOG.warning(() -> "Circuit to Evolution server " + server + " opened: half of its last "
                + ServerGuard.WINDOW + " calls failed; calls to it are refused for " + circuitDelay);
        metrics.increment("evolution_server_circuit_opened", new Tag("server", server));
    }

    @Override
    public void closed(String server) {
        LOG.info(() -> "Circuit to Evolution server " + server + " closed again");
        versions.forget(server);
    }
}
