package com.evolutionprovisioner.provisioning.entity;

import com.evolutionprovisioner.evolution.entity.ConnectionState;
import jakarta.json.bind.annotation.JsonbNillable;

/**
 * Where the owner's WhatsApp pairing stands, as connect, reconnect and logout answer it.
 *
 * @param state             {@code open} (paired), {@code connecting} (a QR code is shown), {@code close} (no
 *                          session, after a logout) or {@code refused} (the last QR session ended at QRCODE_LIMIT
 *                          codes without a scan; the next connect starts a new session)
 * @param qrCode            the QR code as a PNG data URL while connecting, else null
 * @param code              the raw text the QR code encodes, for clients that draw it themselves
 * @param count             how many QR codes the session has shown, this one included
 * @param qrCodeLimit       how many codes a session shows before Evolution ends it (EVOLUTION_QRCODE_LIMIT)
 * @param qrBudgetExhausted true when no further code will come: this is the session's last one, or it ended
 * @param pairingCode       the code to type on the phone instead of scanning, when a number was given
 */
@JsonbNillable
public record Pairing(String state, String qrCode, String code, Integer count, int qrCodeLimit,
                      boolean qrBudgetExhausted, String pairingCode) {

    public static Pairing withoutQrCode(ConnectionState state, int qrCodeLimit) {
        return new Pairing(state.wireName(), null, null, null, qrCodeLimit, state == ConnectionState.REFUSED, null);
    }

    public static Pairing qrCode(String qrCode, String code, int count, int qrCodeLimit, String pairingCode) {
        return new Pairing(ConnectionState.CONNECTING.wireName(), qrCode, code, count, qrCodeLimit, count >= qrCodeLimit,
                pairingCode);
    }
}
