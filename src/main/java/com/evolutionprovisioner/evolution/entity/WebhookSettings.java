package com.evolutionprovisioner.evolution.entity;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The webhook an instance must have: where Evolution posts, which events, and the headers it sends. The
 * {@code jwt_key} header makes Evolution sign every delivery with a short-lived HS256 token instead of sending
 * the header itself. Knows each server version's body shape, and whether a read-back shows it in force.
 */
public record WebhookSettings(String url, List<String> events, Map<String, String> headers) {

    public static final String JWT_KEY_HEADER = "jwt_key";

    public WebhookSettings {
        events = List.copyOf(events);
        headers = Map.copyOf(headers);
    }

    /** v2.1+ body of {@code POST /webhook/set}, and of the {@code webhook} field inside a create body. */
    public JsonObject nestedBody() {
        return Json.createObjectBuilder()
                .add("webhook", Json.createObjectBuilder()
                        .add("enabled", true)
                        .add("url", url)
                        .add("headers", headerObject())
                        .add("byEvents", false)
                        .add("base64", false)
                        .add("events", eventArray()))
                .build();
    }

    /** v2.0 flat body. */
    public JsonObject flatV20Body() {
        return Json.createObjectBuilder()
                .add("enabled", true)
                .add("url", url)
                .add("headers", headerObject())
                .add("webhookByEvents", false)
                .add("webhookBase64", false)
                .add("events", eventArray())
                .build();
    }

    /** v1 flat body. */
    public JsonObject flatV1Body() {
        return Json.createObjectBuilder()
                .add("enabled", true)
                .add("url", url)
                .add("headers", headerObject())
                .add("webhook_by_events", false)
                .add("events", eventArray())
                .build();
    }

    /**
     * Whether a {@code GET /webhook/find} answer shows this configuration in force: enabled, our URL, every event
     * we need (an empty list means all events), and our key when the server reports headers.
     */
    public boolean isSatisfiedBy(JsonValue found) {
        if (found == null || found.getValueType() != JsonValue.ValueType.OBJECT) {
            return false;
        }
        JsonObject row = found.asJsonObject();
        if (!row.getBoolean("enabled", false) || !url.equals(row.getString("url", null))) {
            return false;
        }
        JsonValue foundEvents = row.get("events");
        if (foundEvents == null || foundEvents.getValueType() != JsonValue.ValueType.ARRAY) {
            return false;
        }
        Set<String> configured = new HashSet<>();
        foundEvents.asJsonArray().getValuesAs(JsonString.class).forEach(event -> configured.add(event.getString()));
        if (!configured.isEmpty() && !configured.containsAll(events)) {
            return false;
        }
        // Our headers carry the instance's key: a configuration with another key would make every delivery a 401.
        if (row.get("headers") instanceof JsonObject foundHeaders) {
            return headers.entrySet().stream()
                    .allMatch(header -> header.getValue().equals(foundHeaders.getString(header.getKey(), null)));
        }
        return true;
    }

    private JsonArrayBuilder eventArray() {
        JsonArrayBuilder array = Json.createArrayBuilder();
        events.forEach(array::add);
        return array;
    }

    private JsonObjectBuilder headerObject() {
        JsonObjectBuilder object = Json.createObjectBuilder();
        headers.forEach(object::add);
        return object;
    }
}
