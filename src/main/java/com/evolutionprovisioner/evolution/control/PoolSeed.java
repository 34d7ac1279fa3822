package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionServer;
import com.evolutionprovisioner.evolution.entity.ServerState;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UnreadableSecretException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.Objects;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Makes EVOLUTION_API_BASE_URL / EVOLUTION_API_KEY the pool's seed server at start, so that a single-server set-up
 * works unchanged: the server with that base URL gets the configured key; without one, the server named
 * EVOLUTION_API_SERVER_NAME is pointed there (the operator moved Evolution), or is added with
 * EVOLUTION_API_SERVER_CAPACITY. Then every instance without a placement is placed on it. Nodes starting together
 * take turns on an advisory lock.
 */
@ApplicationScoped
public class PoolSeed {

    private static final Logger LOG = Logger.getLogger(PoolSeed.class.getName());

    @PersistenceContext
    EntityManager em;

    @Inject
    SecretCipher secrets;

    @Inject
    @ConfigProperty(name = "evolution.api.base.url")
    String baseUrl;

    @Inject
    @ConfigProperty(name = "evolution.api.key")
    String apiKey;

    @Inject
    @ConfigProperty(name = "evolution.api.server.name")
    String name;

    @Inject
    @ConfigProperty(name = "evolution.api.server.capacity")
    int capacity;

    /** The stored key in plain text, or null when no configured key reads it (it is then replaced). */
    private String storedKey(EvolutionServer server) {
        try {
            return server.apiKey(secrets);
        } catch (UnreadableSecretException unreadable) {
            LOG.warning(() -> "Evolution server " + server.getName() + "'s stored key is unreadable ("
                    + unreadable.getMessage() + "); EVOLUTION_API_KEY replaces it");
            return null;
        }
    }

    /** Returns the seed server's name. */
    @Transactional
    public String seed() {
        em.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext('evolution_servers seed'))) AS turn")
                .getSingleResult();
        EvolutionServer seed = em.createQuery("SELECT s FROM EvolutionServer s WHERE s.baseUrl = :url",
                EvolutionServer.class).setParameter("url", baseUrl).getResultStream().findFirst().orElse(null);
        if (seed != null) {
            if (!Objects.equals(storedKey(seed), apiKey)) {
                seed.relocate(baseUrl, apiKey, secrets);
                LOG.info(() -> "Evolution server " + seed.getName() + " takes the EVOLUTION_API_KEY configured now");
            }
        } else {
            EvolutionServer named = em.find(EvolutionServer.class, name);
            if (named != null) {
                String before = named.getBaseUrl();
                named.relocate(baseUrl, apiKey, secrets);
                LOG.warning(() -> "Evolution server " + name + " moved from " + before + " to " + baseUrl
                        + " (EVOLUTION_API_BASE_URL): its instances are now looked for there");
            } else {
                em.persist(new EvolutionServer(name, baseUrl, apiKey, capacity, ServerState.ACTIVE, secrets));
                LOG.info(() -> "Evolution server " + name + " (" + baseUrl + ", capacity " + capacity
                        + ") added to the pool from EVOLUTION_API_BASE_URL");
            }
        }
        em.flush();
        String seedName = seed != null ? seed.getName() : name;
        int placed = em.createNativeQuery("""
                        INSERT INTO evolution_placements (instance_name, server_name)
                        SELECT i.instance_name, ?1 FROM evolution_instances i
                         WHERE NOT EXISTS (SELECT 1 FROM evolution_placements p WHERE p.instance_name = i.instance_name)
                        ON CONFLICT (instance_name) DO NOTHING""")
                .setParameter(1, seedName).executeUpdate();
        if (placed > 0) {
            LOG.info(() -> placed + " instances without a placement were placed on the seed server " + seedName);
        }
        return seedName;
    }
}
