package com.evolutionprovisioner.evolution.entity;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        return JSON.createObjectBuilder()
                .add("webhook", JSON.createObjectBuilder()
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
        return JSON.createObjectBuilder()
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
        return JSON.createObjectBuilder()
                .add("enabled", true)
                .add("url", url)
                .add("headers", headerObject())
                .add("webhook_by_events", false)
                .add("events", eventArray())
                .build();
    }

    /**
     * Whether the webhook Evolution reports shows this configuration in force: enabled, our URL, every event we
     * need (an empty list means all events), and our key when the server reports headers.
     */
    public boolean isSatisfiedBy(Optional<WebhookState> found) {
        if (found.isEmpty()) {
            return false;
        }
        WebhookState state = found.get();
        if (!state.enabled() || !url.equals(state.url())) {
            return false;
        }
        if (!state.events().isEmpty() && !state.events().containsAll(events)) {
            return false;
        }
        // Our headers carry the instance's key: a configuration with another key would make every delivery a 401.
        return !state.reportsHeaders() || headers.entrySet().stream()
                .allMatch(header -> header.getValue().equals(state.headers().get(header.getKey())));
    }

    private JsonArrayBuilder eventArray() {
        JsonArrayBuilder array = JSON.createArrayBuilder();
        events.forEach(array::add);
        return array;
    }

    private JsonObjectBuilder headerObject() {
        JsonObjectBuilder object = JSON.createObjectBuilder();
        headers.forEach(object::add);
        return object;
    }
}
