package com.evolutionprovisioner.evolution.entity;

/**
 * CDI event, fired after the commit that may have given the pool room: a server added, its capacity raised, its
 * state set back to active, its licence restored. Users waiting for capacity can be placed now.
 *
 * @param server the server that has room now
 */
public record PoolCapacityGrew(String server) {
}
