package com.evolutionprovisioner.simulator;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.DeliveryResult;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.RecordedCall;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.io.UncheckedIOException;

/**
 * The {@code /__admin/} endpoints, so the simulator can be driven from curl or a smoke-test script as well as from
 * Java. They are never subject to faults or the apikey. Errors answer {@code {"error": "..."}}.
 */
final class AdminApi {

    private final EvolutionApiSimulator simulator;

    AdminApi(EvolutionApiSimulator simulator) {
        this.simulator = simulator;
    }

    Reply handle(String method, String path, String body) {
        try {
            return switch (method + " " + path) {
                case "GET /__admin/health" -> ok();
                case "POST /__admin/reset" -> {
                    simulator.reset();
                    yield ok();
                }
                case "POST /__admin/faults" -> faults(json(body));
                case "POST /__admin/version" -> {
                    simulator.setServerVersion(version(requiredString(json(body), "version")));
                    yield ok();
                }
                case "GET /__admin/calls" -> new Reply(200, calls());
                case "POST /__admin/instances" -> {
                    simulator.preCreateInstance(requiredString(json(body), "instanceName"));
                    yield ok();
                }
                case "POST /__admin/clear-webhook" -> {
                    simulator.clearWebhook(requiredString(json(body), "instanceName"));
                    yield ok();
                }
                case "POST /__admin/deliver" -> deliver(json(body));
                default -> problem(404, "no admin endpoint " + method + " " + path);
            };
        } catch (JsonException | ClassCastException | IllegalArgumentException e) {
            return problem(400, e.getMessage());
        }
    }

    /** Applies whichever of failNext/status/pathPrefix, latencyMs, hang and down the body has. */
    private Reply faults(JsonObject body) {
        if (body.containsKey("failNext")) {
            simulator.failNext(body.getInt("failNext"), body.getInt("status", 500), body.getString("pathPrefix", null));
        }
        if (body.containsKey("latencyMs")) {
            simulator.setLatencyMillis(body.getJsonNumber("latencyMs").longValueExact());
        }
        if (body.containsKey("hang")) {
            simulator.hang(body.getBoolean("hang"));
        }
        if (body.containsKey("down")) {
            simulator.setDown(body.getBoolean("down"));
        }
        return ok();
    }

    private static ServerVersion version(String label) {
        return switch (label) {
            case "v1" -> ServerVersion.V1;
            case "v2.0" -> ServerVersion.V2_0;
            case "v2.1" -> ServerVersion.V2_1;
            default -> throw new IllegalArgumentException("version must be v1, v2.0 or v2.1, not " + label);
        };
    }

    private JsonValue calls() {
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (RecordedCall call : simulator.calls()) {
            array.add(Json.createObjectBuilder()
                    .add("method", call.method())
                    .add("path", call.path())
                    .add("query", call.query() == null ? JsonValue.NULL : Json.createValue(call.query()))
                    .add("status", call.status())
                    .add("requestBody", call.requestBody()));
        }
        return array.build();
    }

    private Reply deliver(JsonObject body) {
        String instance = requiredString(body, "instance");
        String event = requiredString(body, "event");
        JsonObject data = body.containsKey("data") ? body.getJsonObject("data") : JsonValue.EMPTY_JSON_OBJECT;
        try {
            DeliveryResult result = simulator.deliver(instance, event, data);
            return new Reply(200, Json.createObjectBuilder()
                    .add("status", result.status())
                    .add("body", result.body())
                    .build());
        } catch (IllegalStateException e) {
            return problem(404, e.getMessage());
        } catch (UncheckedIOException e) {
            return problem(502, e.getMessage() + ": " + e.getCause());
        }
    }

    private static JsonObject json(String body) {
        try (JsonReader reader = Json.createReader(new StringReader(body.isBlank() ? "{}" : body))) {
            return reader.readObject();
        }
    }

    private static String requiredString(JsonObject body, String field) {
        if (!(body.get(field) instanceof JsonString value)) {
            throw new IllegalArgumentException("\"" + field + "\" (a string) is required");
        }
        return value.getString();
    }

    private static Reply ok() {
        return new Reply(200, Json.createObjectBuilder().add("status", "ok").build());
    }

    private static Reply problem(int status, String message) {
        return new Reply(status, Json.createObjectBuilder().add("error", String.valueOf(message)).build());
    }
}
