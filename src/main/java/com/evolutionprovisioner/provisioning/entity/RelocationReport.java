package com.evolutionprovisioner.provisioning.entity;

import javax.management.ConstructorParameters;

/**
 * What a relocation request queued: the never-paired instances on the server that are moving, and those staying
 * (paired, or being deleted). A class with getters rather than a record so that JMX can show it.
 */
public final class RelocationReport {

    private final int moving;
    private final int staying;

    @ConstructorParameters({"moving", "staying"})
    public RelocationReport(int moving, int staying) {
        this.moving = moving;
        this.staying = staying;
    }

    public int getMoving() {
        return moving;
    }

    public int getStaying() {
        return staying;
    }

    @Override
    public String toString() {
        return "moving " + moving + ", staying " + staying;
    }
}
