package com.evolutionprovisioner.evolution.entity;

import java.util.Optional;

/**
 * An instance's WhatsApp connection as Evolution names it: {@code refused} is what a connection.update delivery says
 * when a QR session ended at QRCODE_LIMIT codes without a scan.
 */
public enum ConnectionState {
    OPEN, CONNECTING, CLOSE, REFUSED;

    /** The lower-case name Evolution uses, and the one we store and answer. */
    public String wireName() {
        return name().toLowerCase();
    }

    /**
     * Whether this state, reported by Evolution now, agrees with the one we {@code recorded}: the same, or our
     * {@code refused} for its {@code close} (a session that ended at the QR code limit is closed, and the owner's next
     * connect still has to hear that the codes ran out).
     */
    public boolean agreesWith(String recorded) {
        return wireName().equals(recorded) || this == CLOSE && REFUSED.wireName().equals(recorded);
    }

    /** The state Evolution's word names, or empty for a word it has not used so far. */
    public static Optional<ConnectionState> fromWire(String name) {
        for (ConnectionState state : values()) {
            if (state.wireName().equals(name)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
