package com.evolutionprovisioner.provisioning.entity;

/**
 * The connection states we record for an instance, as Evolution names them: {@code refused} is what its
 * connection.update delivery says when a QR session ended at QRCODE_LIMIT codes without a scan.
 */
public final class ConnectionStates {

    public static final String OPEN = "open";
    public static final String CONNECTING = "connecting";
    public static final String CLOSE = "close";
    public static final String REFUSED = "refused";

    private ConnectionStates() {
    }

    /**
     * Whether a state Evolution reports now ({@code observed}) agrees with the one we recorded: the same, or our
     * {@code refused} for its {@code close} (a session that ended at the QR code limit is closed, and the owner's
     * next connect still has to hear that the codes ran out).
     */
    public static boolean agree(String recorded, String observed) {
        return observed.equals(recorded) || REFUSED.equals(recorded) && CLOSE.equals(observed);
    }
}
