package com.evolutionprovisioner.evolution.entity;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import jakarta.json.JsonException;
import jakarta.json.JsonValue;
import java.io.StringReader;

/** An answer from Evolution API: its status and raw body, parsed on demand (its shapes vary between releases). */
public record EvolutionResponse(int status, String body) {

    private static final int EXCERPT_LENGTH = 300;

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    public JsonValue json() {
        if (body == null || body.isBlank()) {
            return JsonValue.NULL;
        }
        try (var reader = JSON.createReader(new StringReader(body))) {
            return reader.readValue();
        } catch (JsonException notJson) {
            return JsonValue.NULL;
        }
    }

    /** Evolution 2.4's licence gate: a 503 that no retry will cure until an operator activates the server. */
    public boolean isLicenceRequired() {
        return status == 503 && body != null && body.contains("LICENSE_REQUIRED");
    }

    /** Status and the start of the body, for logs and the queue's last_error. */
    public String summary() {
        String text = body == null ? "" : body.replaceAll("\\s+", " ");
        return "HTTP " + status + (text.isEmpty() ? "" : ": " + (text.length() > EXCERPT_LENGTH
                ? text.substring(0, EXCERPT_LENGTH) + "…" : text));
    }
}
