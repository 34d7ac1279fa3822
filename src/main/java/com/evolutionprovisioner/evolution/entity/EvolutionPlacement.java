package com.evolutionprovisioner.evolution.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** Which Evolution server an instance lives on: every call about the instance goes there. */
@Entity
@Table(name = "evolution_placements")
public class EvolutionPlacement {

    @Id
    @Column(name = "instance_name")
    private String instanceName;

    @Column(name = "server_name")
    private String serverName;

    @Column(name = "placed_at", insertable = false, updatable = false)
    private OffsetDateTime placedAt;

    protected EvolutionPlacement() {
    }

    public String getInstanceName() {
        return instanceName;
    }

    public String getServerName() {
        return serverName;
    }

    public OffsetDateTime getPlacedAt() {
        return placedAt;
    }
}
