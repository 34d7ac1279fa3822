package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionServer;
import com.evolutionprovisioner.evolution.entity.PoolCapacityGrew;
import com.evolutionprovisioner.evolution.entity.ServerState;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adding servers to the pool and changing their capacity and state, for the admin API and JMX, with what each
 * server looks like now (instances placed, circuit, version). Not transactional itself: the change commits in
 * {@link ServerRecords} first, so that {@link PoolCapacityGrew} is only fired for a committed change. An EJB, so that
 * a JMX thread calling it has the invocation context its reads outside a transaction need.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class EvolutionServers {

    @Inject
    ServerRecords records;

    @Inject
    EvolutionPool pool;

    @Inject
    ServerGuards guards;

    @Inject
    ServerVersions versions;

    @Inject
    Event<PoolCapacityGrew> capacityGrew;

    /** A server as operators see it. The key is never part of it. */
    public record ServerView(String name, String baseUrl, int capacity, String state, long instances, Health health) {
    }

    /**
     * This node's view of the server: its circuit ({@code closed}, {@code open}, {@code half_open}), the version it
     * reported (null until read), its recent failure rate, whether it is {@code healthy} (new instances go to healthy
     * servers first: see {@link ServerGuard#isUnhealthy}), and why it is in its state (e.g. licence_required).
     */
    public record Health(String circuit, String version, double recentFailureRate, boolean healthy, String stateReason) {
    }

    public List<ServerView> list() {
        Map<String, Long> placed = pool.placementCounts();
        return records.all().stream().map(server -> view(server, placed.getOrDefault(server.getName(), 0L))).toList();
    }

    public Optional<ServerView> find(String name) {
        return records.find(name).map(server -> view(server, pool.placementCounts().getOrDefault(name, 0L)));
    }

    /**
     * Adds a server; it takes new instances at once when active. Once committed, its version is read and, when it
     * can take instances, {@link PoolCapacityGrew} is fired.
     *
     * @throws ServerRecords.ServerConflict when the name or the base URL is taken
     */
    public ServerView add(String name, String baseUrl, String apiKey, int capacity, ServerState state) {
        EvolutionServer server = records.add(name, baseUrl, apiKey, capacity, state);
        pool.forgetRoutes();
        ServerRoute route = pool.routes().get(name);
        if (route != null) {
            versions.of(route);
        }
        if (state == ServerState.ACTIVE && capacity > 0) {
            capacityGrew.fire(new PoolCapacityGrew(name));
        }
        return view(server, 0);
    }

    /**
     * Changes a server's capacity and/or state (null: unchanged). An operator's state clears the reason of an
     * automatic one (licence_required). Once committed, fires {@link PoolCapacityGrew} when the server is active and
     * was not, or has more capacity. Empty when no server has that name.
     */
    public Optional<ServerView> change(String name, Integer capacity, ServerState state) {
        Optional<ServerRecords.Change> change = records.change(name, capacity, state);
        change.ifPresent(done -> {
            pool.forgetRoutes();
            if (done.grew()) {
                capacityGrew.fire(new PoolCapacityGrew(name));
            }
        });
        return change.map(done -> view(done.server(), pool.placementCounts().getOrDefault(name, 0L)));
    }

    private ServerView view(EvolutionServer server, long instances) {
        String circuit = guards.existing(server.getName()).map(guard -> guard.circuit().label())
                .orElse(ServerGuard.Circuit.CLOSED.label());
        Health health = new Health(circuit, versions.known(server.getName()).map(Object::toString).orElse(null),
                guards.recentFailureRate(server.getName()), !guards.isUnhealthy(server.getName()),
                server.getStateReason());
        return new ServerView(server.getName(), server.getBaseUrl(), server.getCapacity(), server.getState().dbValue(),
                instances, health);
    }
}
