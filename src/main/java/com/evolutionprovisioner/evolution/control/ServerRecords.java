package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionServer;
import com.evolutionprovisioner.evolution.entity.ServerState;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.SecretReencryption;
import jakarta.ejb.ApplicationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/** The rows of {@code evolution_servers} as operators change them, each change in a transaction of its own. */
@ApplicationScoped
public class ServerRecords {

    private static final Logger LOG = Logger.getLogger(ServerRecords.class.getName());

    @PersistenceContext
    EntityManager em;

    @Inject
    SecretCipher secrets;

    /** A name or base URL already taken; passed through EJB callers as it is (not wrapped as a system failure). */
    @ApplicationException
    public static final class ServerConflict extends RuntimeException {
        ServerConflict(String message) {
            super(message);
        }
    }

    /** A committed change, and whether it can have given the pool room. */
    public record Change(EvolutionServer server, boolean grew) {
    }

    public List<EvolutionServer> all() {
        return em.createQuery("SELECT s FROM EvolutionServer s ORDER BY s.name", EvolutionServer.class).getResultList();
    }

    public Optional<EvolutionServer> find(String name) {
        return Optional.ofNullable(em.find(EvolutionServer.class, name));
    }

    /** @throws ServerConflict when the name or the base URL is taken */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public EvolutionServer add(String name, String baseUrl, String apiKey, int capacity, ServerState state) {
        // Two operators adding at once: the second waits here, then sees the first's server.
        em.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext('evolution_servers add'))) AS turn")
                .getSingleResult();
        if (em.find(EvolutionServer.class, name) != null) {
            throw new ServerConflict("A server named " + name + " exists already.");
        }
        if (!em.createQuery("SELECT s.name FROM EvolutionServer s WHERE s.baseUrl = :url", String.class)
                .setParameter("url", baseUrl).getResultList().isEmpty()) {
            throw new ServerConflict("A server with this base URL exists already.");
        }
        EvolutionServer server = new EvolutionServer(name, baseUrl, apiKey, capacity, state, secrets);
        em.persist(server);
        LOG.info(() -> "Evolution server " + name + " (" + baseUrl + ", capacity " + capacity + ", "
                + state.dbValue() + ") added to the pool");
        return server;
    }

    /** Rewrites every server's stored key under SECRETS_KEY (part of "re-encrypt everything"; the table is small). */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void reencryptKeys(SecretReencryption pass) {
        for (EvolutionServer server : em.createQuery("SELECT s FROM EvolutionServer s", EvolutionServer.class)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList()) {
            server.reencryptKey(pass);
        }
    }

    /** Empty when no server has that name. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<Change> change(String name, Integer capacity, ServerState state) {
        EvolutionServer server = em.find(EvolutionServer.class, name, LockModeType.PESSIMISTIC_WRITE);
        if (server == null) {
            return Optional.empty();
        }
        int capacityBefore = server.getCapacity();
        ServerState stateBefore = server.getState();
        if (capacity != null) {
            server.changeCapacity(capacity);
        }
        if (state != null) {
            server.changeState(state, null);
        }
        boolean grew = server.getState() == ServerState.ACTIVE
                && (stateBefore != ServerState.ACTIVE || server.getCapacity() > capacityBefore);
        LOG.info(() -> "Evolution server " + name + " changed by an operator: capacity " + capacityBefore + " → "
                + server.getCapacity() + ", state " + stateBefore.dbValue() + " → " + server.getState().dbValue());
        return Optional.of(new Change(server, grew));
    }
}
