package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionServer;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.ServerState;
import com.evolutionprovisioner.platform.ApplicationMetrics;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UnreadableSecretException;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The pool of Evolution servers: which server each instance is placed on (table {@code evolution_placements}), and
 * where each server is (table {@code evolution_servers}, read into a short-lived cache of {@link ServerRoute}s).
 * Placement never overfills a server, however many nodes place at once: the active servers' rows are locked and
 * their instances counted again before the placement is written, so placing writers take turns until they commit.
 */
@ApplicationScoped
public class EvolutionPool {

    private static final Logger LOG = Logger.getLogger(EvolutionPool.class.getName());
    /** How long a node trusts what it read of the servers (an admin change on another node shows within this). */
    static final Duration ROUTES_MAX_AGE = Duration.ofSeconds(5);
    /** How long a node trusts a placement it read: a move by another node's drain shows within this. */
    static final Duration PLACEMENT_MAX_AGE = Duration.ofSeconds(10);
    private static final int LOGGED_UNPLACED_LIMIT = 10_000;

    @PersistenceContext
    EntityManager em;

    @Inject
    SecretCipher secrets;

    @Inject
    ServerGuards guards;

    @Inject
    ApplicationMetrics metrics;

    @Inject
    PoolMetrics poolMetrics;

    @Resource
    TransactionSynchronizationRegistry transactions;

    @Inject
    @ConfigProperty(name = "evolution.api.base.url")
    String seedBaseUrl;

    @Inject
    @ConfigProperty(name = "evolution.api.key")
    String seedApiKey;

    @Inject
    @ConfigProperty(name = "evolution.api.server.name")
    String seedName;

    private volatile Routes routes;
    private final Map<String, CachedPlacement> placements = new ConcurrentHashMap<>();
    private final Set<String> unplacedLogged = ConcurrentHashMap.newKeySet();

    private record Routes(Map<String, ServerRoute> byName, long readAtNanos) {
    }

    /** A placement as read, kept until {@code expiresAtNanos}. */
    private record CachedPlacement(String server, long expiresAtNanos) {
    }

    /**
     * Places the instance: an already placed instance keeps its server; otherwise the active server with the most
     * free capacity ({@link PoolChoice}). Empty when no active server has room (the pool is full).
     */
    @Transactional(TxType.MANDATORY)
    public Optional<String> place(InstanceName name) {
        Optional<String> existing = placementRow(name);
        if (existing.isPresent()) {
            return existing;
        }
        Optional<String> server = lockServerWithRoom(Set.of());
        if (server.isEmpty()) {
            return Optional.empty();
        }
        int inserted = em.createNativeQuery("""
                        INSERT INTO evolution_placements (instance_name, server_name) VALUES (?1, ?2)
                        ON CONFLICT (instance_name) DO NOTHING""")
                .setParameter(1, name.value()).setParameter(2, server.get()).executeUpdate();
        if (inserted == 1) {
            rememberPlacementOnCommit(name, server.get());
            return server;
        }
        forgetPlacement(name);
        return placementRow(name); // a concurrent transaction placed the same instance first: its choice stands
    }

    /** Forgets the instance's placement, once the instance is gone at Evolution. */
    @Transactional(TxType.MANDATORY)
    public void release(InstanceName name) {
        em.createNativeQuery("DELETE FROM evolution_placements WHERE instance_name = ?1")
                .setParameter(1, name.value()).executeUpdate();
        forgetPlacement(name);
    }

    /**
     * Moves the instance's placement to another active server with room (draining: the caller deletes the instance
     * on its old server and creates it on the new one). Empty when no other server has room; then nothing changes.
     */
    @Transactional(TxType.MANDATORY)
    public Optional<String> replace(InstanceName name) {
        Optional<String> current = placementRow(name);
        if (current.isEmpty()) {
            return place(name);
        }
        Optional<String> server = lockServerWithRoom(Set.of(current.get()));
        server.ifPresent(target -> {
            em.createNativeQuery("""
                            UPDATE evolution_placements SET server_name = ?2, placed_at = now()
                             WHERE instance_name = ?1""")
                    .setParameter(1, name.value()).setParameter(2, target).executeUpdate();
            forgetPlacement(name);
        });
        return server;
    }

    /**
     * The server the instance is placed on (any transaction or none). A placement found is cached for
     * {@link #PLACEMENT_MAX_AGE}; none is not, so that a placement made on another node is seen at once.
     */
    public Optional<String> serverOf(InstanceName name) {
        CachedPlacement cached = placements.get(name.value());
        long now = System.nanoTime();
        if (cached != null && now - cached.expiresAtNanos() < 0) {
            return Optional.of(cached.server());
        }
        Optional<String> server = placementRow(name);
        server.ifPresentOrElse(
                placed -> placements.put(name.value(), new CachedPlacement(placed, now + PLACEMENT_MAX_AGE.toNanos())),
                () -> placements.remove(name.value()));
        return server;
    }

    /** The instances placed on a server, oldest placement first (any transaction or none). */
    public List<InstanceName> placedOn(String server) {
        List<?> names = em.createNativeQuery("""
                        SELECT instance_name FROM evolution_placements WHERE server_name = ?1
                         ORDER BY placed_at, instance_name""")
                .setParameter(1, server).getResultList();
        return names.stream().map(value -> new InstanceName((String) value)).toList();
    }

    /** The server's base URL, as Evolution reports it in a delivery's server_url; null for an unknown server. */
    public String baseUrlOf(String server) {
        return knownRoute(server).map(ServerRoute::baseUrl).orElse(null);
    }

    /**
     * Where a call about this instance goes: its server; an instance without a placement (created before the pool,
     * or not placed yet) goes to the seed server, said once per instance in the log. A server this node has not read
     * yet (added on another node within {@link #ROUTES_MAX_AGE}) is read at once: its instances never go elsewhere.
     */
    public ServerRoute routeOf(InstanceName name) {
        Optional<String> placed = serverOf(name);
        if (placed.isPresent()) {
            return knownRoute(placed.get()).orElseThrow(() -> EvolutionException.unavailable("Evolution server "
                    + placed.get() + " of instance " + name + " cannot be called: its API key is unreadable (see the "
                    + "log when its servers were read)", null));
        }
        ServerRoute seed = seedRoute();
        if (unplacedLogged.size() < LOGGED_UNPLACED_LIMIT && unplacedLogged.add(name.value())) {
            LOG.info(() -> "Instance " + name + " has no placement: its calls go to the seed " + seed);
        }
        return seed;
    }

    /** The server's route, read again when this node does not know the server yet. */
    private Optional<ServerRoute> knownRoute(String server) {
        ServerRoute route = routes().get(server);
        if (route == null) {
            forgetRoutes();
            route = routes().get(server);
        }
        return Optional.ofNullable(route);
    }

    /** Every server as last read (at most {@link #ROUTES_MAX_AGE} old), by name. */
    public Map<String, ServerRoute> routes() {
        Routes current = routes;
        if (current == null || System.nanoTime() - current.readAtNanos() >= ROUTES_MAX_AGE.toNanos()) {
            current = new Routes(readRoutes(), System.nanoTime());
            routes = current;
        }
        return current.byName();
    }

    /**
     * The server EVOLUTION_API_BASE_URL names, whatever it is called; the configured URL and key themselves when
     * the table does not have it yet (before the first seeding, or when the database cannot be read).
     */
    public ServerRoute seedRoute() {
        return routes().values().stream().filter(route -> route.baseUrl().equals(seedBaseUrl)).findFirst()
                .orElseGet(() -> new ServerRoute(seedName, seedBaseUrl, seedApiKey, 0, ServerState.ACTIVE, null));
    }

    /** Drops what this node remembers of the servers: the next call reads them again. */
    public void forgetRoutes() {
        routes = null;
    }

    /**
     * Evolution's licence gate answered for this server: it takes no new instances until its operator activates it
     * (state disabled, reason licence_required; {@code LicenceRecheck} notices the activation). Its users keep their LICENCE_REQUIRED failure. Said once, when the
     * state changes; returns whether it did.
     */
    @Transactional(TxType.REQUIRES_NEW)
    public boolean takeOutForLicence(String server, String answer) {
        int changed = em.createNativeQuery("""
                        UPDATE evolution_servers SET state = 'disabled', state_reason = ?2, updated_at = now()
                         WHERE name = ?1 AND state = 'active'""")
                .setParameter(1, server).setParameter(2, EvolutionServer.LICENCE_REQUIRED).executeUpdate();
        forgetRoutes();
        if (changed == 1) {
            LOG.warning(() -> "Evolution server " + server + " answered its licence gate (" + answer + "): it is "
                    + "disabled with reason licence_required and gets no new instances until its licence is activated "
                    + "(re-checked every EVOLUTION_LICENCE_RECHECK_INTERVAL; docs/evolution-servers.md)");
            metrics.increment("evolution_server_licence_required", new Tag("server", server));
        }
        return changed == 1;
    }

    /**
     * The licence gate no longer answers for this server: it takes instances again (state active, reason cleared),
     * unless an operator changed its state meanwhile. Returns whether it did.
     */
    @Transactional(TxType.REQUIRES_NEW)
    public boolean restoreAfterLicence(String server) {
        int changed = em.createNativeQuery("""
                        UPDATE evolution_servers SET state = 'active', state_reason = NULL, updated_at = now()
                         WHERE name = ?1 AND state = 'disabled' AND state_reason = ?2""")
                .setParameter(1, server).setParameter(2, EvolutionServer.LICENCE_REQUIRED).executeUpdate();
        forgetRoutes();
        if (changed == 1) {
            LOG.info(() -> "Evolution server " + server + " no longer answers its licence gate: it is active again");
        }
        return changed == 1;
    }

    /** How many instances are placed on each server, by name (servers without any are absent). */
    public Map<String, Long> placementCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Object row : em.createNativeQuery("""
                SELECT server_name, count(*) FROM evolution_placements GROUP BY server_name ORDER BY server_name""")
                .getResultList()) {
            Object[] columns = (Object[]) row;
            counts.put((String) columns[0], ((Number) columns[1]).longValue());
        }
        return counts;
    }

    /**
     * Locks every active server's row, in name order, until the transaction ends, then counts their instances with
     * a fresh statement, which sees every placement committed by the writers that held the locks before; and chooses
     * among them, other than {@code excluded}. Every writer locks in the same order, so writers take turns without
     * deadlocks, even when one transaction places several instances.
     */
    private Optional<String> lockServerWithRoom(Set<String> excluded) {
        List<?> locked = em.createNativeQuery(
                "SELECT name FROM evolution_servers WHERE state = 'active' ORDER BY name FOR UPDATE").getResultList();
        Set<String> candidatesLocked = new HashSet<>();
        locked.forEach(name -> candidatesLocked.add((String) name));
        candidatesLocked.removeAll(excluded);
        return PoolChoice.choose(candidates(candidatesLocked));
    }

    /** The given servers with their capacity and instances; a server activated after the lock is not among them. */
    private List<PoolChoice.Candidate> candidates(Set<String> lockedServers) {
        List<PoolChoice.Candidate> candidates = new ArrayList<>();
        for (Object row : em.createNativeQuery("""
                SELECT s.name, s.capacity,
                       (SELECT count(*) FROM evolution_placements p WHERE p.server_name = s.name)
                  FROM evolution_servers s WHERE s.state = 'active' ORDER BY s.name""").getResultList()) {
            Object[] columns = (Object[]) row;
            String server = (String) columns[0];
            if (lockedServers.contains(server)) {
                candidates.add(new PoolChoice.Candidate(server, ((Number) columns[1]).intValue(),
                        ((Number) columns[2]).longValue(), guards.recentFailureRate(server), guards.isUnhealthy(server)));
            }
        }
        return candidates;
    }

    /** Read without flushing the caller's pending changes: routing a call must not write anything. */
    private Optional<String> placementRow(InstanceName name) {
        List<?> rows = em.createNativeQuery("SELECT server_name FROM evolution_placements WHERE instance_name = ?1")
                .setParameter(1, name.value()).setFlushMode(FlushModeType.COMMIT).getResultList();
        return rows.stream().map(String.class::cast).findFirst();
    }

    /** Forgets the cached placement now, and again once the transaction has ended (a reader may have cached the old). */
    private void forgetPlacement(InstanceName name) {
        settlePlacementOnCompletion(name, null);
    }

    /**
     * A new placement is cached once committed: the attempt that placed it calls the server at once, and would
     * otherwise read the placement back for its first call. Nothing can move it before then: moving an instance
     * takes its queue row, which the placing attempt holds until after this.
     */
    private void rememberPlacementOnCommit(InstanceName name, String server) {
        settlePlacementOnCompletion(name, server);
    }

    /** Forgets the cached placement now; once the transaction has ended, caches {@code committed} if it committed. */
    private void settlePlacementOnCompletion(InstanceName name, String committed) {
        placements.remove(name.value());
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (committed != null && status == Status.STATUS_COMMITTED) {
                    placements.put(name.value(), new CachedPlacement(committed, System.nanoTime() + PLACEMENT_MAX_AGE.toNanos()));
                } else {
                    placements.remove(name.value());
                }
            }
        });
    }

    private Map<String, ServerRoute> readRoutes() {
        Map<String, ServerRoute> read = new LinkedHashMap<>();
        for (EvolutionServer server : em.createQuery("SELECT s FROM EvolutionServer s ORDER BY s.name",
                EvolutionServer.class).setFlushMode(FlushModeType.COMMIT).getResultList()) {
            try {
                read.put(server.getName(), new ServerRoute(server.getName(), server.getBaseUrl(),
                        server.apiKey(secrets), server.getCapacity(), server.getState(), server.getStateReason()));
                poolMetrics.track(server.getName());
            } catch (UnreadableSecretException unreadable) {
                LOG.severe(() -> "Evolution server " + server.getName() + " is left out: " + unreadable.getMessage());
            }
        }
        return read;
    }
}
