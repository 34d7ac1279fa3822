package com.evolutionprovisioner.evolution.boundary;

import com.evolutionprovisioner.evolution.control.EvolutionPool;
import com.evolutionprovisioner.evolution.control.ServerRoute;
import com.evolutionprovisioner.evolution.entity.ServerState;
import com.evolutionprovisioner.platform.health.CachedReadinessCheck;
import com.evolutionprovisioner.platform.health.ProbeResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether the pool of Evolution servers can take calls: UP while at least one active server answers at all (any HTTP
 * status: reachability, not correctness), DOWN when none does; without any active server, UP while one of the others
 * answers. Every server asked is asked at once, so a slow one costs one timeout, not one each. The details name each server's outcome and warn of a server down or a full pool.
 * Signups still work while Evolution is down (the queue waits), but operators need to see it.
 */
@Readiness
@ApplicationScoped
public class EvolutionServersHealthCheck extends CachedReadinessCheck {

    private static final String NAME = "evolution-api";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Inject
    EvolutionPool pool;

    /**
     * Created with the application, and the pool with it: WildFly probes on threads where the pool's resources
     * cannot be looked up. Calling through the client proxy creates the instance; nothing is read yet (the schema
     * may not be migrated at this point).
     */
    void createAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        pool.toString();
    }

    @Override
    protected ProbeResult probe() {
        try {
            return inspect();
        } catch (RuntimeException unreadable) {
            return ProbeResult.failed(NAME, unreadable);
        }
    }

    private ProbeResult inspect() {
        Map<String, ServerRoute> routes = pool.routes();
        boolean anyActive = routes.values().stream().anyMatch(route -> route.state() == ServerState.ACTIVE);
        Map<String, CompletableFuture<String>> answers = new LinkedHashMap<>();
        Map<String, Object> servers = new LinkedHashMap<>();
        for (ServerRoute route : routes.values()) {
            // Without an active server, the others still serve the instances placed on them (a single server behind
            // the licence gate, say): then their reachability is what readiness reports.
            if (route.state() == ServerState.ACTIVE || !anyActive) {
                answers.put(route.name(), ask(route));
            } else {
                servers.put(route.name(), route.state().dbValue()
                        + (route.stateReason() == null ? "" : " (" + route.stateReason() + ")"));
            }
        }
        List<String> warnings = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        boolean anyReachable = false;
        for (var answer : answers.entrySet()) {
            String outcome = answer.getValue().join();
            servers.put(answer.getKey(), outcome);
            if (outcome.startsWith("reachable")) {
                anyReachable = true;
            } else {
                warnings.add("Evolution server " + answer.getKey() + " is " + outcome);
                errors.add(answer.getKey() + ": " + outcome);
            }
        }
        Map<String, Long> placed = pool.placementCounts();
        long free = routes.values().stream().filter(route -> route.state() == ServerState.ACTIVE)
                .mapToLong(route -> Math.max(0, route.capacity() - placed.getOrDefault(route.name(), 0L))).sum();
        if (!anyActive) {
            warnings.add("No Evolution server is active: new users wait with no_capacity until one is");
        } else if (free == 0) {
            warnings.add("The pool is full: no active Evolution server has free capacity; new users wait with "
                    + "no_capacity until capacity is added");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("servers", servers);
        details.put("freeCapacity", free);
        if (!warnings.isEmpty()) {
            details.put("warnings", warnings);
        }
        if (anyReachable) {
            return ProbeResult.up(NAME, details);
        }
        details.put("error", answers.isEmpty() ? "no Evolution server" : String.join("; ", errors));
        return ProbeResult.down(NAME, details);
    }

    private static CompletableFuture<String> ask(ServerRoute route) {
        try {
            return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(route.baseUrl() + "/")).timeout(TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.discarding())
                    .handle((response, failure) -> failure == null ? "reachable (HTTP " + response.statusCode() + ")"
                            : "unreachable: " + rootOf(failure));
        } catch (RuntimeException badAddress) {
            return CompletableFuture.completedFuture("unreachable: " + badAddress);
        }
    }

    private static String rootOf(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root);
    }
}
