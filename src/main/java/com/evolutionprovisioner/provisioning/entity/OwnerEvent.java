package com.evolutionprovisioner.provisioning.entity;

import com.evolutionprovisioner.security.UserId;

/**
 * One change an owner watches, as a row of {@code owner_events} (written by the V70 triggers) or as part of the
 * current state a new stream starts with.
 *
 * @param id   monotonic, the SSE {@code id:} a client resumes from with Last-Event-ID
 * @param type {@link #STATUS}, {@link #QRCODE} or {@link #CONNECTION}: the SSE {@code event:}
 * @param data the JSON object sent as the SSE {@code data:} line
 */
public record OwnerEvent(long id, UserId userId, String type, String data) {

    /** Provisioning status changed: {@code {"status","errorCode"?}}. */
    public static final String STATUS = "status";
    /** The QR code to scan changed: {@code {"qrCode","count"?}}, {@code qrCode} null once there is none. */
    public static final String QRCODE = "qrcode";
    /** The connection state changed: {@code {"state"}}. */
    public static final String CONNECTION = "connection";
}
