package com.evolutionprovisioner.evolution.entity;

/**
 * What {@code DELETE /instance/delete/{name}} did. Evolution answers before the instance is gone: it removes the
 * session and the row only after its own {@code remove.instance} step, and until then the name is still in use.
 */
public enum InstanceRemoval {
    /** Evolution accepted the deletion; the instance goes shortly (fetchInstances stops listing it). */
    REQUESTED,
    /** Evolution does not know the instance (404): it is gone already, or was never created. */
    ALREADY_GONE
}
