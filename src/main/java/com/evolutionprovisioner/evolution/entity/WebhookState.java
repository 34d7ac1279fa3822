package com.evolutionprovisioner.evolution.entity;

import java.util.List;
import java.util.Map;

/**
 * An instance's webhook as {@code GET /webhook/find} reports it, the same whatever the server version.
 *
 * @param events  the events it is configured for; empty means all events
 * @param headers the headers Evolution sends with each delivery, or null when the server does not report them
 *                (releases before 2.1.2 have no webhook headers)
 */
public record WebhookState(boolean enabled, String url, List<String> events, Map<String, String> headers) {

    public WebhookState {
        events = List.copyOf(events);
        headers = headers == null ? null : Map.copyOf(headers);
    }

    public boolean reportsHeaders() {
        return headers != null;
    }
}
