package com.evolutionprovisioner.evolution.control;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import com.evolutionprovisioner.evolution.entity.ConnectionState;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.InstanceIdentity;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.evolution.entity.WebhookState;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evolution's wire formats, every server version's, in one place: the create body we send, and what create,
 * fetchInstances, webhook/find and connectionState answer, read into typed values. Nothing outside {@code evolution}
 * sees Evolution's field names.
 */
final class EvolutionWire {

    /** The integration every instance we create uses: WhatsApp through Baileys (a QR code, no business account). */
    static final String INTEGRATION = "WHATSAPP-BAILEYS";

    private EvolutionWire() {
    }

    /** {@code POST /instance/create}; with the webhook as v2.1+ nests it, which older servers refuse with a 400. */
    static JsonObject createBody(InstanceName name, WebhookSettings webhook, boolean withWebhook) {
        var body = JSON.createObjectBuilder()
                .add("instanceName", name.value())
                .add("integration", INTEGRATION)
                .add("qrcode", true);
        if (withWebhook) {
            body.add("webhook", webhook.nestedBody().getJsonObject("webhook"));
        }
        return body.build();
    }

    /**
     * A create answer: {@code {"instance": {"instanceName", "instanceId", …}, "hash": "<token>"}}; v1 answered the
     * token as {@code "hash": {"apikey": …}}.
     */
    static InstanceIdentity createdIdentity(InstanceName name, JsonValue answer) {
        JsonObject body = answer instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
        JsonObject described = body.get("instance") instanceof JsonObject instance ? instance : body;
        return new InstanceIdentity(name, text(described, "instanceId"), tokenOf(body.get("hash")));
    }

    /**
     * A fetchInstances answer for one name: v2 lists {@code [{"id", "name", "token", …}]}; v1 answers
     * {@code {"instance": {"instanceName", "instanceId", "apikey", …}}} (an object for one name, an array otherwise).
     * Empty when it lists nothing.
     */
    static Optional<InstanceIdentity> fetchedIdentity(InstanceName name, JsonValue answer) {
        JsonValue first = answer;
        if (answer != null && answer.getValueType() == JsonValue.ValueType.ARRAY) {
            first = answer.asJsonArray().stream()
                    .filter(item -> item.getValueType() == JsonValue.ValueType.OBJECT)
                    .findFirst().orElse(null);
        }
        if (!(first instanceof JsonObject fetched)) {
            return Optional.empty();
        }
        JsonObject described = fetched.get("instance") instanceof JsonObject instance ? instance : fetched;
        String id = Optional.ofNullable(text(described, "id")).orElse(text(described, "instanceId"));
        String token = Optional.ofNullable(text(described, "token")).or(() -> Optional.ofNullable(text(described, "apikey")))
                .orElse(tokenOf(described.get("hash")));
        return Optional.of(new InstanceIdentity(name, id, token));
    }

    /**
     * A webhook/find answer: the stored row {@code {"url", "enabled", "events", "headers", …}} (headers null on
     * servers before 2.1.2), or JSON null when none is set. A row without an events list is reported as none: its
     * events are unknown, and an empty list would mean all of them.
     */
    static Optional<WebhookState> webhookState(JsonValue answer) {
        if (!(answer instanceof JsonObject row) || row.get("events") == null
                || row.get("events").getValueType() != JsonValue.ValueType.ARRAY) {
            return Optional.empty();
        }
        List<String> events = row.getJsonArray("events").stream()
                .filter(JsonString.class::isInstance).map(event -> ((JsonString) event).getString()).toList();
        Map<String, String> headers = null;
        if (row.get("headers") instanceof JsonObject reported) {
            headers = new LinkedHashMap<>();
            for (var header : reported.entrySet()) {
                if (header.getValue() instanceof JsonString value) {
                    headers.put(header.getKey(), value.getString());
                }
            }
        }
        return Optional.of(new WebhookState(row.getBoolean("enabled", false), text(row, "url"), events, headers));
    }

    /** A connectionState answer: {@code {"instance": {"instanceName", "state"}}}; v1 also flat, or as "status". */
    static ConnectionState connectionState(JsonValue answer) {
        if (answer instanceof JsonObject body) {
            JsonObject described = body.get("instance") instanceof JsonObject instance ? instance : body;
            String state = Optional.ofNullable(text(described, "state")).orElse(text(described, "status"));
            if (state != null) {
                return ConnectionState.fromWire(state).orElseThrow(() -> EvolutionException.rejected(
                        "connectionState answered an unknown state " + JSON.createValue(state)));
            }
        }
        throw EvolutionException.rejected("connectionState answered no state");
    }

    private static String text(JsonObject object, String field) {
        return object.get(field) instanceof JsonString string ? string.getString() : null;
    }

    /** Evolution v2 answers the instance token as a string, v1 as {"apikey": ...}. */
    private static String tokenOf(JsonValue hash) {
        if (hash instanceof JsonString string) {
            return string.getString();
        }
        return hash instanceof JsonObject object ? text(object, "apikey") : null;
    }
}
