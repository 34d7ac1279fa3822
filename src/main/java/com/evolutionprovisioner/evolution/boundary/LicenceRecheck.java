package com.evolutionprovisioner.evolution.boundary;

import com.evolutionprovisioner.evolution.control.EvolutionPool;
import com.evolutionprovisioner.evolution.control.EvolutionTransport;
import com.evolutionprovisioner.evolution.control.ServerRoute;
import com.evolutionprovisioner.evolution.entity.EvolutionServer;
import com.evolutionprovisioner.evolution.entity.PoolCapacityGrew;
import com.evolutionprovisioner.evolution.entity.ServerState;
import com.evolutionprovisioner.platform.work.SafetyNetTimer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every EVOLUTION_LICENCE_RECHECK_INTERVAL, asks each server the licence gate took out of rotation whether it still
 * answers LICENSE_REQUIRED (a cheap fetchInstances for one name that does not exist). Once its operator has
 * activated it, it is active again and {@link PoolCapacityGrew} is fired: as before the pool, activating Evolution is
 * all it takes. Every node checks; the conditional update lets one of them restore it.
 */
@Singleton
@Startup
@DependsOn("DatabaseMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class LicenceRecheck {

    private static final Logger LOG = Logger.getLogger(LicenceRecheck.class.getName());
    /** A name no instance has: the gate answers before the name is looked up, an activated server 404 or []. */
    private static final String PROBE_NAME = "evolution-provisioner-licence-check";

    @Resource
    TimerService timers;

    @Inject
    EvolutionPool pool;

    @Inject
    EvolutionTransport transport;

    @Inject
    Event<PoolCapacityGrew> capacityGrew;

    @Inject
    @ConfigProperty(name = "evolution.licence.recheck.interval")
    Duration interval;

    @PostConstruct
    void start() {
        SafetyNetTimer.start(timers, "evolution-licence-recheck", interval);
    }

    @Timeout
    void recheck() {
        for (ServerRoute server : pool.routes().values()) {
            if (server.state() == ServerState.DISABLED && EvolutionServer.LICENCE_REQUIRED.equals(server.stateReason())) {
                recheck(server);
            }
        }
    }

    private void recheck(ServerRoute server) {
        try {
            boolean gated = transport.exchange(server, "GET", "/instance/fetchInstances",
                    Map.of("instanceName", PROBE_NAME), null).isLicenceRequired();
            if (!gated && pool.restoreAfterLicence(server.name())) {
                capacityGrew.fire(new PoolCapacityGrew(server.name()));
            }
        } catch (RuntimeException unavailable) {
            LOG.fine(() -> "Licence re-check of Evolution server " + server.name() + ": " + unavailable.getMessage());
        }
    }
}
