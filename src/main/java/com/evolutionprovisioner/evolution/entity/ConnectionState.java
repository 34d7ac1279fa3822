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
