package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.ServerState;

/**
 * Where the calls for one server go: its address and global key (in plain text, in memory only), with its capacity
 * and state as last read. {@link #toString()} leaves the key out, so a route can be logged.
 */
public record ServerRoute(String name, String baseUrl, String apiKey, int capacity, ServerState state,
                          String stateReason) {

    @Override
    public String toString() {
        return "server " + name + " (" + baseUrl + ", " + state.dbValue() + ")";
    }
}
