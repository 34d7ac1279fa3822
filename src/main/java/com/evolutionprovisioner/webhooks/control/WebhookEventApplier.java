package com.evolutionprovisioner.webhooks.control;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.entity.StateSource;
import jakarta.ejb.ApplicationException;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import java.io.StringReader;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What a stored webhook event changes. Evolution may deliver late or twice, so every change is guarded: the QR code
 * and connection state only move to an event at least as recent as the one applied, and a message's status only
 * moves forward (a late SERVER_ACK never overwrites READ). Events we do not use stay stored raw.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class WebhookEventApplier {


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
        applyAll(List.of(eventId), via);
    }

    /**
     * Applies, in one transaction, those of the events not applied yet, as if one after another in id order: QR
     * codes and states through the registry's guards, the message log set-based ({@link MessageChange#rounds}), the
     * instances' traffic once per instance. If one event fails, all roll back: the caller applies them one by one.
     */
    public void applyAll(List<Long> eventIds, AppliedVia via) {
        String ids = eventIds.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
        List<?> rows = em.createNativeQuery("""
                        SELECT id, instance_name, event, payload::text, received_at FROM webhook_events
                         WHERE id = ANY(CAST(?1 AS bigint[])) AND processed_at IS NULL
                         ORDER BY id FOR UPDATE""")
                .setParameter(1, ids)
                .getResultList();
        if (rows.isEmpty()) {
            return;
        }
        List<MessageChange> messages = new ArrayList<>();
        Map<String, OffsetDateTime> traffic = new HashMap<>();
        try {
            for (Object result : rows) {
                Object[] row = (Object[]) result;
                String instance = (String) row[1];
                String event = (String) row[2];
                JsonObject payload;
                try (var reader = JSON.createReader(new StringReader((String) row[3]))) {
                    payload = reader.readObject();
                }
                JsonObject data = payload.get("data") instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
                OffsetDateTime receivedAt = EventTime.fromDatabase(row[4]);
                switch (event) {
                    case "qrcode.updated" -> applyQrCode(instance, data, eventTime(payload, receivedAt));
                    case "connection.update" -> applyConnection(instance, data, eventTime(payload, receivedAt), receivedAt);
                    case "messages.upsert", "send.message", "messages.update" -> {
                        // Any message event, even one without an id, is traffic: the instance is not quiet.
                        traffic.merge(instance, receivedAt, (a, b) -> a.isAfter(b) ? a : b);
                        messageChange(instance, event, data).ifPresent(messages::add);
                    }
                    default -> { } // stored raw; nothing to change
                }
            }
            MessageChange.rounds(messages).forEach(this::applyMessages);
            if (!traffic.isEmpty()) {
                instances.recordTraffic(traffic);
            }
        } catch (PersistenceException refused) {
            throw new EventNotApplied(eventIds, refused);
        }
        em.createNativeQuery("""
                        UPDATE webhook_events SET processed_at = now(), apply_error = NULL, applied_via = ?2
                         WHERE id = ANY(CAST(?1 AS bigint[]))""")
                .setParameter(1, rows.stream().map(row -> String.valueOf(((Object[]) row)[0]))
                        .collect(Collectors.joining(",", "{", "}")))
                .setParameter(2, via.dbValue())
                .executeUpdate();
    }

    private OffsetDateTime eventTime(JsonObject payload, OffsetDateTime receivedAt) {
        return EventTime.effective(text(payload, "date_time"), receivedAt, clockSkew);
    }

    /**
     * The database refused what the event would change (a value out of range, a lost connection). An application
     * exception, so the container rolls back without logging a stack trace: the dispatcher logs the cause once.
     */
    @ApplicationException(rollback = true)
    public static class EventNotApplied extends RuntimeException {
        EventNotApplied(List<Long> eventIds, Throwable cause) {
            super((eventIds.size() == 1 ? "webhook event " + eventIds.get(0) : eventIds.size() + " webhook events")
                    + " not applied", cause);
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

    private void applyConnection(String instance, JsonObject data, OffsetDateTime eventAt, OffsetDateTime receivedAt) {
        String state = text(data, "state");
        if (state == null) {
            return;
        }
        instances.recordConnectionHistory(instance, state,
                data.get("statusReason") instanceof JsonNumber reason ? reason.intValue() : null, eventAt, StateSource.WEBHOOK);
        instances.recordDeliveredConnectionState(new InstanceName(instance), state, eventAt, receivedAt);
    }

    /**
     * The change a message event makes to the message log, if it names a message. {@code data.key} holds the
     * identity for upserts and sends, {@code data} itself for Baileys updates (keyId, remoteJid, fromMe). An update
     * may arrive before its message (Evolution fires deliveries without awaiting each other): it creates the row,
     * and the message itself, the authority on what it is, fills it in.
     */
    static Optional<MessageChange> messageChange(String instance, String event, JsonObject data) {
        boolean isTheMessage = !"messages.update".equals(event);
        JsonObject key = !isTheMessage ? data
                : data.get("key") instanceof JsonObject messageKey ? messageKey : JsonValue.EMPTY_JSON_OBJECT;
        String messageId = text(key, "id") != null ? text(key, "id") : text(key, "keyId");
        if (messageId == null) {
            return Optional.empty();
        }
        String status = text(data, "status");
        boolean fromMe = "send.message".equals(event) || key.getBoolean("fromMe", false);
        Long epochSeconds = data.get("messageTimestamp") instanceof JsonNumber n ? n.longValue()
                : data.get("messageTimestamp") instanceof JsonString s && s.getString().matches("\\d+")
                ? Long.valueOf(s.getString()) : null;
        return Optional.of(new MessageChange(instance, messageId, text(key, "remoteJid"), fromMe ? "outbound" : "inbound",
                status, status == null ? 0 : STATUS_RANK.getOrDefault(status.toUpperCase(), 0), text(data, "messageType"),
                epochSeconds, isTheMessage));
    }

    /**
     * One statement for changes of distinct messages, all of one kind ({@link MessageChange#rounds}). A status only
     * moves forward (a late SERVER_ACK never overwrites READ).
     */
    private void applyMessages(List<MessageChange> changes) {
        JsonArrayBuilder rows = JSON.createArrayBuilder();
        for (MessageChange change : changes) {
            JsonObjectBuilder row = JSON.createObjectBuilder()
                    .add("instance_name", change.instanceName())
                    .add("message_id", change.messageId())
                    .add("direction", change.direction())
                    .add("status_rank", change.statusRank());
            addText(row, "remote_jid", change.remoteJid());
            addText(row, "status", change.status());
            addText(row, "message_type", change.messageType());
            if (change.epochSeconds() != null) {
                row.add("epoch_seconds", change.epochSeconds());
            }
            rows.add(row);
        }
        em.createNativeQuery("""
                        INSERT INTO evolution_messages (instance_name, message_id, remote_jid, direction, status,
                                                        status_rank, message_type, message_timestamp)
                        SELECT instance_name, message_id, remote_jid, direction, status, status_rank, message_type,
                               to_timestamp(epoch_seconds)
                          FROM jsonb_to_recordset(CAST(?1 AS jsonb)) AS change(instance_name text, message_id text,
                               remote_jid text, direction text, status text, status_rank integer, message_type text,
                               epoch_seconds bigint)
                         ORDER BY instance_name, message_id
                        ON CONFLICT (instance_name, message_id) DO UPDATE SET
                            status = CASE WHEN excluded.status_rank > evolution_messages.status_rank
                                          THEN excluded.status ELSE evolution_messages.status END,
                            status_rank = greatest(excluded.status_rank, evolution_messages.status_rank),
                            direction = CASE WHEN ?2 THEN excluded.direction ELSE evolution_messages.direction END,
                            remote_jid = CASE WHEN ?2 THEN coalesce(excluded.remote_jid, evolution_messages.remote_jid)
                                              ELSE coalesce(evolution_messages.remote_jid, excluded.remote_jid) END,
                            message_type = coalesce(evolution_messages.message_type, excluded.message_type),
                            message_timestamp = coalesce(evolution_messages.message_timestamp, excluded.message_timestamp),
                            updated_at = now()""")
                .setParameter(1, rows.build().toString())
                .setParameter(2, changes.get(0).isTheMessage())
                .executeUpdate();
    }

    private static void addText(JsonObjectBuilder row, String field, String value) {
        if (value != null) {
            row.add(field, value);
        }
    }

    private static String text(JsonObject object, String field) {
        return object.get(field) instanceof JsonString value ? value.getString() : null;
    }
}
