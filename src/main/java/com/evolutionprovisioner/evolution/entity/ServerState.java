package com.evolutionprovisioner.evolution.entity;

import java.util.Arrays;
import java.util.Optional;

/**
 * Whether an Evolution server takes new instances: only {@link #ACTIVE} ones do. {@link #DRAINING} keeps its
 * instances while they are moved away; {@link #DISABLED} keeps them too (an operator's decision, or the licence gate).
 */
public enum ServerState {
    ACTIVE, DRAINING, DISABLED;

    /** The value stored in {@code evolution_servers.state} and shown by the admin API. */
    public String dbValue() {
        return name().toLowerCase();
    }

    public static Optional<ServerState> fromDb(String value) {
        return Arrays.stream(values()).filter(state -> state.dbValue().equals(value)).findFirst();
    }
}
