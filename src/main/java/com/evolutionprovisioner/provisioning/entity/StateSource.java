package com.evolutionprovisioner.provisioning.entity;

/** Who saw a connection state we record in the instance's history: Evolution's delivery, or our own check. */
public enum StateSource {
    WEBHOOK("webhook"),
    /** Our periodic (or operator's) comparison with Evolution's connectionState: a delivery we never got. */
    STATE_CHECK("state_check");

    private final String dbValue;

    StateSource(String dbValue) {
        this.dbValue = dbValue;
    }

    public String dbValue() {
        return dbValue;
    }
}
