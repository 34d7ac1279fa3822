package com.evolutionprovisioner.webhooks.control;

import jakarta.ejb.Stateless;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Stores authentic deliveries exactly once. The dedup key collapses Evolution's retries (which re-post the identical
 * body, {@code date_time} included) and nothing else: a state that comes back (open, close, open) is a new event.
 */
@Stateless
public class WebhookIngestor {

    /** Events about one message: a message id and its status identify them, whatever else the body carries. */
    static final Set<String> MESSAGE_EVENTS = Set.of(
            "messages.upsert", "messages.update", "messages.delete", "send.message", "send.message.update");
    /** PostgreSQL's jsonb refuses U+0000; it is stored as the replacement character instead. */
    private static final String NUL = "\u0000";
    private static final String REPLACEMENT = "\uFFFD";

    @PersistenceContext
    EntityManager em;

    /** Returns the new event's id, or empty for a retry of an event already stored. */
    public Optional<Long> store(String instanceName, String event, JsonObject payload) {
        JsonObject storable = storable(payload);
        List<?> ids = em.createNativeQuery("""
                        INSERT INTO webhook_events (instance_name, event, dedup_key, payload)
                        VALUES (?1, ?2, ?3, CAST(?4 AS jsonb))
                        ON CONFLICT (dedup_key) DO NOTHING
                        RETURNING id""")
                .setParameter(1, sanitised(instanceName))
                .setParameter(2, sanitised(event))
                .setParameter(3, dedupKey(instanceName, event, storable))
                .setParameter(4, storable.toString())
                .getResultList();
        return ids.stream().map(id -> ((Number) id).longValue()).findFirst();
    }

    /**
     * What we keep of a delivery: without {@code apikey} (the instance token, when an operator makes Evolution expose
     * it) and with every NUL character replaced, so no genuine delivery is ever answered with a 500.
     */
    static JsonObject storable(JsonObject payload) {
        JsonObjectBuilder kept = Json.createObjectBuilder();
        payload.forEach((field, value) -> {
            if (!field.equals("apikey")) {
                kept.add(sanitised(field), sanitised(value));
            }
        });
        return kept.build();
    }

    private static JsonValue sanitised(JsonValue value) {
        if (value instanceof JsonString text) {
            return text.getString().contains(NUL) ? Json.createValue(sanitised(text.getString())) : text;
        }
        if (value instanceof JsonObject object) {
            JsonObjectBuilder copy = Json.createObjectBuilder();
            object.forEach((field, member) -> copy.add(sanitised(field), sanitised(member)));
            return copy.build();
        }
        if (value instanceof JsonArray array) {
            JsonArrayBuilder copy = Json.createArrayBuilder();
            array.forEach(item -> copy.add(sanitised(item)));
            return copy.build();
        }
        return value;
    }

    private static String sanitised(String text) {
        return text.replace(NUL, REPLACEMENT);
    }

    /**
     * A fixed-length key (a btree entry has a size limit, message ids do not): for message events the hash of
     * (instance, event, message id, status); for every other event the hash of (instance, event, Evolution's
     * {@code date_time}, data), so an identical retry collapses while the same state reported again later does not.
     */
    static String dedupKey(String instanceName, String event, JsonObject payload) {
        JsonObject data = payload.get("data") instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
        String messageId = MESSAGE_EVENTS.contains(event) ? messageId(data) : null;
        String identity = messageId != null
                ? String.join(NUL, instanceName, event, "message", messageId, String.valueOf(text(data, "status")))
                : String.join(NUL, instanceName, event, "at", String.valueOf(text(payload, "date_time")),
                        String.valueOf(payload.get("data")));
        return "sha256:" + sha256(identity);
    }

    /** {@code data.key.id} for upserts and sends, {@code data.keyId} for Baileys updates. */
    private static String messageId(JsonObject data) {
        if (data.get("key") instanceof JsonObject key && text(key, "id") != null) {
            return text(key, "id");
        }
        return text(data, "keyId") != null ? text(data, "keyId") : text(data, "id");
    }

    private static String text(JsonObject object, String field) {
        return object.get(field) instanceof JsonString text && !text.getString().isBlank() ? text.getString() : null;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
