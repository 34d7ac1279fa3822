package com.evolutionprovisioner.webhooks.control;

import jakarta.ejb.Stateless;
import jakarta.json.JsonObject;
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

/** Stores authentic deliveries exactly once, keyed by what makes an event the same event. */
@Stateless
public class WebhookIngestor {

    @PersistenceContext
    EntityManager em;

    /** Returns the new event's id, or empty for a duplicate delivery. */
    public Optional<Long> store(String instanceName, String event, JsonObject payload) {
        List<?> ids = em.createNativeQuery("""
                        INSERT INTO webhook_events (instance_name, event, dedup_key, payload)
                        VALUES (?1, ?2, ?3, CAST(?4 AS jsonb))
                        ON CONFLICT (dedup_key) DO NOTHING
                        RETURNING id""")
                .setParameter(1, instanceName)
                .setParameter(2, event)
                .setParameter(3, dedupKey(instanceName, event, payload))
                .setParameter(4, payload.toString())
                .getResultList();
        return ids.stream().map(id -> ((Number) id).longValue()).findFirst();
    }

    /**
     * (instance, event, message id, status) for message events; otherwise a hash of the event's data, so the same
     * delivery retried by Evolution collapses while a genuinely new state (another QR code) does not.
     */
    static String dedupKey(String instanceName, String event, JsonObject payload) {
        JsonObject data = payload.get("data") instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
        String messageId = firstText(data, "keyId", "id");
        if (messageId == null && data.get("key") instanceof JsonObject key) {
            messageId = firstText(key, "id");
        }
        if (messageId != null) {
            return String.join("|", instanceName, event, messageId, String.valueOf(firstText(data, "status")));
        }
        return String.join("|", instanceName, event, "sha256:" + sha256(data.toString()));
    }

    private static String firstText(JsonObject object, String... fields) {
        for (String field : fields) {
            if (object.get(field) instanceof JsonString text && !text.getString().isBlank()) {
                return text.getString();
            }
        }
        return null;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
