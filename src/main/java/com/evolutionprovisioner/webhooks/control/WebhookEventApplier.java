package com.evolutionprovisioner.webhooks.control;

import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.entity.StateSource;
import jakarta.ejb.ApplicationException;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What a stored webhook event changes. Evolution may deliver late or twice, so every change is guarded: the QR code
 * and connection state only move to an event at least as recent as the one applied, and a message's status only
 * moves forward (a late SERVER_ACK never overwrites READ). Events we do not use stay stored raw.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class WebhookEventApplier {

    /** Json.createReader() looks the provider up on the class path at every call: a third of the applier's CPU. */
    private static final JsonProvider JSON = JsonProvider.provider();

    /** Baileys' message status order; ERROR and DELETED are final. */
    static final Map<String, Integer> STATUS_RANK = Map.of(
            "PENDING", 1, "SERVER_ACK", 2, "DELIVERY_ACK", 3, "READ", 4, "PLAYED", 5, "ERROR", 6, "DELETED", 7);

    // EclipseLink binds a null parameter as varchar: nullable non-text parameters are CAST in the SQL below.
    @PersistenceContext
    EntityManager em;

    @Inject
    @ConfigProperty(name = "webhook.clock.skew")
    Duration clockSkew;

    /** The owner of evolution_instances and their history: what deliveries tell is recorded through it. */
    @Inject
    InstanceRegistry instances;

    /** Applies the event if it has not been applied yet; {@code via} records which path applied it. */
    public void apply(long eventId, AppliedVia via) {
        List<?> rows = em.createNativeQuery("""
                        SELECT instance_name, event, payload::text, received_at FROM webhook_events
                         WHERE id = ?1 AND processed_at IS NULL FOR UPDATE""")
                .setParameter(1, eventId)
                .getResultList();
        if (rows.isEmpty()) {
            return;
        }
        Object[] row = (Object[]) rows.get(0);
        String instance = (String) row[0];
        String event = (String) row[1];
        JsonObject payload;
        try (var reader = JSON.createReader(new StringReader((String) row[2]))) {
            payload = reader.readObject();
        }
        JsonObject data = payload.get("data") instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
        OffsetDateTime receivedAt = EventTime.fromDatabase(row[3]);
        OffsetDateTime eventAt = EventTime.effective(text(payload, "date_time"), receivedAt, clockSkew);
        try {
            switch (event) {
                case "qrcode.updated" -> applyQrCode(instance, data, eventAt);
                case "connection.update" -> applyConnection(instance, data, eventAt);
                case "messages.upsert", "send.message" -> applyMessage(instance, data.get("key") instanceof JsonObject key
                        ? key : JsonValue.EMPTY_JSON_OBJECT, data, "send.message".equals(event), true, receivedAt);
                case "messages.update" -> applyMessage(instance, data, data, false, false, receivedAt);
                default -> { } // stored raw; nothing to change
            }
        } catch (PersistenceException refused) {
            throw new EventNotApplied(eventId, refused);
        }
        em.createNativeQuery("""
                        UPDATE webhook_events SET processed_at = now(), apply_error = NULL, applied_via = ?2
                         WHERE id = ?1""")
                .setParameter(1, eventId)
                .setParameter(2, via.dbValue())
                .executeUpdate();
    }

    /**
     * The database refused what the event would change (a value out of range, a lost connection). An application
     * exception, so the container rolls back without logging a stack trace: the dispatcher logs the cause once.
     */
    @ApplicationException(rollback = true)
    public static class EventNotApplied extends RuntimeException {
        EventNotApplied(long eventId, Throwable cause) {
            super("webhook event " + eventId + " not applied", cause);
        }
    }

    /** Records why an event could not be applied; returns the number of attempts so far. */
    public int recordFailure(long eventId, String error) {
        Object attempts = em.createNativeQuery("""
                        UPDATE webhook_events SET apply_attempts = apply_attempts + 1, apply_error = ?2
                         WHERE id = ?1 RETURNING apply_attempts""")
                .setParameter(1, eventId)
                .setParameter(2, error == null ? "unknown" : error.substring(0, Math.min(error.length(), 1000)))
                .getSingleResult();
        return ((Number) attempts).intValue();
    }

    private void applyQrCode(String instance, JsonObject data, OffsetDateTime eventAt) {
        if (!(data.get("qrcode") instanceof JsonObject qr)) {
            return; // at the QR limit Evolution sends {message, statusCode} instead of a code
        }
        String code = text(qr, "base64");
        instances.recordDeliveredQrCode(new InstanceName(instance), code != null ? code : text(qr, "code"), eventAt);
    }

    private void applyConnection(String instance, JsonObject data, OffsetDateTime eventAt) {
        String state = text(data, "state");
        if (state == null) {
            return;
        }
        instances.recordConnectionHistory(instance, state,
                data.get("statusReason") instanceof JsonNumber reason ? reason.intValue() : null, eventAt, StateSource.WEBHOOK);
        instances.recordDeliveredConnectionState(new InstanceName(instance), state, eventAt);
    }

    /**
     * {@code key} holds the message's identity: {@code data.key} for upserts, {@code data} itself for Baileys
     * updates (keyId, remoteJid, fromMe). An update may arrive before its message (Evolution fires deliveries without
     * awaiting each other): it creates the row, and the message itself, the authority on what it is, fills it in.
     * Any message event, even one without an id, is traffic: the instance is not quiet.
     */
    private void applyMessage(String instance, JsonObject key, JsonObject data, boolean sentByUs, boolean isTheMessage,
                              OffsetDateTime receivedAt) {
        instances.recordTraffic(instance, receivedAt);
        String messageId = text(key, "id") != null ? text(key, "id") : text(key, "keyId");
        if (messageId == null) {
            return;
        }
        String status = text(data, "status");
        boolean fromMe = sentByUs || key.getBoolean("fromMe", false);
        Long epochSeconds = data.get("messageTimestamp") instanceof JsonNumber n ? n.longValue()
                : data.get("messageTimestamp") instanceof JsonString s && s.getString().matches("\\d+")
                ? Long.valueOf(s.getString()) : null;
        em.createNativeQuery("""
                        INSERT INTO evolution_messages (instance_name, message_id, remote_jid, direction, status,
                                                        status_rank, message_type, message_timestamp)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CAST(?8 AS timestamptz))
                        ON CONFLICT (instance_name, message_id) DO UPDATE SET
                            status = CASE WHEN excluded.status_rank > evolution_messages.status_rank
                                          THEN excluded.status ELSE evolution_messages.status END,
                            status_rank = greatest(excluded.status_rank, evolution_messages.status_rank),
                            direction = CASE WHEN ?9 THEN excluded.direction ELSE evolution_messages.direction END,
                            remote_jid = CASE WHEN ?9 THEN coalesce(excluded.remote_jid, evolution_messages.remote_jid)
                                              ELSE coalesce(evolution_messages.remote_jid, excluded.remote_jid) END,
                            message_type = coalesce(evolution_messages.message_type, excluded.message_type),
                            message_timestamp = coalesce(evolution_messages.message_timestamp, excluded.message_timestamp),
                            updated_at = now()""")
                .setParameter(1, instance)
                .setParameter(2, messageId)
                .setParameter(3, text(key, "remoteJid"))
                .setParameter(4, fromMe ? "outbound" : "inbound")
                .setParameter(5, status)
                .setParameter(6, status == null ? 0 : STATUS_RANK.getOrDefault(status.toUpperCase(), 0))
                .setParameter(7, text(data, "messageType"))
                .setParameter(8, epochSeconds == null ? null : OffsetDateTime.ofInstant(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC))
                .setParameter(9, isTheMessage)
                .executeUpdate();
    }


    private static String text(JsonObject object, String field) {
        return object.get(field) instanceof JsonString value ? value.getString() : null;
    }
}
