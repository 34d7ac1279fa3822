package com.evolutionprovisioner.webhooks.control;

/**
 * Which path had a stored event applied, recorded on the event: the fast path right after receipt, a retry after a
 * failed application, the safety-net poller (an event the fast path missed), or an operator's replay.
 */
public enum AppliedVia {
    RECEIPT, RETRY, POLLER, REPLAY;

    public String dbValue() {
        return name().toLowerCase();
    }

    /** The value a message carries; anything unknown is the poller's (the only path that sends without one). */
    public static AppliedVia fromMessage(String value) {
        for (AppliedVia via : values()) {
            if (via.dbValue().equals(value)) {
                return via;
            }
        }
        return POLLER;
    }
}
