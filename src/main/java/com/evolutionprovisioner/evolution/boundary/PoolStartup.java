package com.evolutionprovisioner.evolution.boundary;

import com.evolutionprovisioner.evolution.control.PoolSeed;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;

/** Seeds the pool of Evolution servers from EVOLUTION_API_BASE_URL once the schema is migrated, before any work. */
@Singleton
@Startup
@DependsOn("DatabaseMigration")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class PoolStartup {

    @Inject
    PoolSeed seed;

    @PostConstruct
    void seedPool() {
        seed.seed();
    }
}
