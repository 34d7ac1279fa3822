package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.EvolutionVersion;
import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Each Evolution server's version, read from its public {@code GET /} when first needed and kept until something
 * says it may have changed: its circuit closed again after an outage, or it refused the shapes its version selected.
 * Unknown (not cached) when the server cannot be asked or does not say: callers then probe, as before versions.
 */
@ApplicationScoped
public class ServerVersions {

    private static final Logger LOG = Logger.getLogger(ServerVersions.class.getName());

    @Inject
    EvolutionTransport transport;

    @Inject
    ApplicationMetrics metrics;

    private final Map<String, EvolutionVersion> known = new ConcurrentHashMap<>();
    /** The version last logged per server: a version read again is only said when it changed. */
    private final Map<String, EvolutionVersion> reported = new ConcurrentHashMap<>();

    public Optional<EvolutionVersion> of(ServerRoute server) {
        EvolutionVersion cached = known.get(server.name());
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<EvolutionVersion> read = read(server);
        read.ifPresent(version -> {
            known.put(server.name(), version);
            EvolutionVersion before = reported.put(server.name(), version);
            if (!version.equals(before)) {
                LOG.info(() -> "Evolution server " + server.name() + " runs version " + version);
            }
        });
        return read;
    }

    /** The version last read, without asking the server. */
    public Optional<EvolutionVersion> known(String server) {
        return Optional.ofNullable(known.get(server));
    }

    /** Forgets the server's version: the next call that needs it reads it again. */
    public void forget(String server) {
        known.remove(server);
    }

    /** Counted in {@code evolution_server_version_reads_total{server}}: each costs the server a {@code GET /}. */
    private Optional<EvolutionVersion> read(ServerRoute server) {
        metrics.increment("evolution_server_version_reads", new Tag("server", server.name()));
        try {
            EvolutionResponse welcome = transport.exchange(server, "GET", "/", Map.of(), null);
            if (welcome.isSuccess() && welcome.json() instanceof JsonObject body
                    && body.get("version") instanceof JsonString version) {
                return EvolutionVersion.parse(version.getString());
            }
            LOG.info(() -> "Evolution server " + server.name() + " did not say its version (" + welcome.summary() + ")");
        } catch (RuntimeException unreachable) {
            LOG.info(() -> "Evolution server " + server.name() + "'s version could not be read: " + unreachable.getMessage());
        }
        return Optional.empty();
    }
}
