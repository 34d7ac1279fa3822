package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.entity.RelocationReport;

/** Draining in JConsole and VisualVM: {@code com.evolutionprovisioner:type=Relocations}. */
public interface RelocationsMXBean {

    /**
     * Queues the move of every never-paired instance on the Evolution server (set it draining first) to another
     * active server with room, as {@code POST /api/admin/evolution-servers/{name}/relocations} does.
     */
    RelocationReport relocateFrom(String server);
}
