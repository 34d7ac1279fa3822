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
}
