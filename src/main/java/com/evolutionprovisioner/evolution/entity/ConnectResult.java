package com.evolutionprovisioner.evolution.entity;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Optional;

/**
 * What {@code GET /instance/connect/{name}} (and restart, which answers the same way) says of an instance: its state,
 * and while a session shows QR codes the current one. The answer has several shapes: the connection-state shape
 * {@code {"instance":{"state"}}} for an open instance, the bare QR code {@code {pairingCode, code, base64, count}},
 * older servers' {@code {"instance":{"status"}, "qrcode":{...}}}, and {@code {"error":true,"message"}} with a 200.
 *
 * @param state       open, connecting (a QR code is shown) or close (no session: at the QR code limit Evolution
 *                    ends the session and answers a code-less {@code {"count":0}})
 * @param qrDataUrl   the QR code as a PNG data URL, or null
 * @param code        the raw text of the QR code (what the image encodes), or null
 * @param count       how many QR codes the current session has shown (Evolution stops at QRCODE_LIMIT)
 * @param pairingCode the code the owner may type on the phone instead of scanning, when a number was given
 */
public record ConnectResult(ConnectionState state, String qrDataUrl, String code, int count, String pairingCode) {

    private static final String PNG_DATA_URL = "data:image/png;base64,";

    public boolean hasQrCode() {
        return code != null || qrDataUrl != null;
    }

    /**
     * Reads a connect or restart answer.
     *
     * @throws EvolutionException (rejected) for Evolution's {@code {"error":true}} answers and unreadable bodies
     */
    public static ConnectResult parse(JsonValue answer) {
        if (!(answer instanceof JsonObject body)) {
            throw EvolutionException.rejected("connect answered no JSON object");
        }
        if (body.getBoolean("error", false)) {
            throw EvolutionException.rejected("connect refused: " + Optional.ofNullable(text(body, "message")).orElse("(no message)"));
        }
        if (body.get("qrcode") instanceof JsonObject qr) {
            return fromQrCode(qr); // older servers wrap the code with the instance's status
        }
        if (body.get("instance") instanceof JsonObject instance) {
            String state = Optional.ofNullable(text(instance, "state")).orElse(text(instance, "status"));
            if (state == null) {
                throw EvolutionException.rejected("connect answered an instance without a state");
            }
            return new ConnectResult(ConnectionState.fromWire(state).orElseThrow(() -> EvolutionException.rejected(
                    "connect answered an unknown state " + JSON.createValue(state))), null, null, 0, null);
        }
        if (body.containsKey("count") || body.containsKey("code") || body.containsKey("base64")) {
            return fromQrCode(body);
        }
        throw EvolutionException.rejected("connect answered an unknown shape (fields " + body.keySet() + ")");
    }

    private static ConnectResult fromQrCode(JsonObject qr) {
        String base64 = text(qr, "base64");
        String code = text(qr, "code");
        int count = qr.get("count") instanceof JsonNumber number ? number.intValue() : 0;
        String dataUrl = base64 == null || base64.startsWith("data:") ? base64 : PNG_DATA_URL + base64;
        // A code-less answer means the session ended (the QR code limit) before it showed anything.
        boolean shown = code != null || dataUrl != null;
        return new ConnectResult(shown ? ConnectionState.CONNECTING : ConnectionState.CLOSE, dataUrl, code, count, text(qr, "pairingCode"));
    }

    private static String text(JsonObject object, String field) {
        return object.get(field) instanceof JsonString string ? string.getString() : null;
    }
}
