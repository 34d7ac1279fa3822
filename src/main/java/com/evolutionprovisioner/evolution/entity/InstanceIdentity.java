package com.evolutionprovisioner.evolution.entity;

/**
 * Who an instance is at Evolution: its name, the id Evolution gave it and its own token (the key Evolution accepts
 * for that instance alone). Create and fetchInstances answer them in several shapes; this is what they mean.
 *
 * @param evolutionId Evolution's id of the instance, or null when the answer carried none
 * @param token       the instance's token, or null when the answer carried none
 */
public record InstanceIdentity(InstanceName name, String evolutionId, String token) {
}
