package com.evolutionprovisioner.simulator;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.DeliveryResult;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.RecordedCall;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code /__admin/} endpoints, so the simulator can be driven from curl or a smoke-test script as well as from
 * Java. They are never subject to faults, the licence gate or the apikey. Errors answer {@code {"error": "..."}}.
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
                case "POST /__admin/clock" -> clock(json(body));
                case "GET /__admin/calls" -> new Reply(200, calls());
                case "POST /__admin/instances" -> {
                    simulator.preCreateInstance(requiredString(json(body), "instanceName"));
                    yield ok();
                }
                case "POST /__admin/clear-webhook" -> {
                    simulator.clearWebhook(requiredString(json(body), "instanceName"));
                    yield ok();
                }
                case "POST /__admin/drop-session" -> unannounced(() -> simulator.dropSession(requiredString(json(body), "instanceName")));
                case "POST /__admin/forget-instance" -> unannounced(() -> simulator.forgetInstance(requiredString(json(body), "instanceName")));
                case "POST /__admin/deliver" -> deliver(json(body));
                case "POST /__admin/qr-refresh" -> phoneSide(() -> simulator.refreshQr(requiredString(json(body), "instanceName")));
                case "POST /__admin/pair" -> {
                    JsonObject request = json(body);
                    yield phoneSide(() -> simulator.pair(requiredString(request, "instanceName"), requiredString(request, "wuid")));
                }
                default -> problem(404, "no admin endpoint " + method + " " + path);
            };
        } catch (JsonException | ClassCastException | IllegalArgumentException | ArithmeticException | DateTimeException e) {
            return problem(400, e.getMessage());
        }
    }

    /**
     * Applies whichever of failNext/status/pathPrefix, latencyMs, hang, down, licenceRequired, removalDelayMs,
     * qrCodeLimit, connectWaitMs and eventRetries ({timeFactor, lostAttempts, startedAgoSeconds}) the body has.
     */
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
        if (body.containsKey("licenceRequired")) {
            simulator.setLicenceRequired(body.getBoolean("licenceRequired"));
        }
        if (body.containsKey("removalDelayMs")) {
            simulator.setRemovalDelay(Duration.ofMillis(body.getJsonNumber("removalDelayMs").longValueExact()));
        }
        if (body.containsKey("qrCodeLimit")) {
            simulator.setQrCodeLimit(body.getInt("qrCodeLimit"));
        }
        if (body.containsKey("connectWaitMs")) {
            simulator.setConnectWait(Duration.ofMillis(body.getJsonNumber("connectWaitMs").longValueExact()));
        }
        if (body.containsKey("eventRetries")) {
            simulator.setEventRetryPlan(retryPlan(body.getJsonObject("eventRetries")));
        }
        return ok();
    }

    /** {"timeZoneOffsetMinutes": M, "skewSeconds": S}, either defaulting to 0. */
    private Reply clock(JsonObject body) {
        simulator.setClock(Duration.ofMinutes(number(body, "timeZoneOffsetMinutes", 0).longValueExact()),
                Duration.ofSeconds(number(body, "skewSeconds", 0).longValueExact()));
        return ok();
    }

    private static ServerVersion version(String label) {
        return switch (label) {
            case "v1" -> ServerVersion.V1;
            case "v2.0" -> ServerVersion.V2_0;
            case "v2.1" -> ServerVersion.V2_1;
            case "v2.2" -> ServerVersion.V2_2;
            case "v2.4" -> ServerVersion.V2_4;
            default -> throw new IllegalArgumentException("version must be v1, v2.0, v2.1, v2.2 or v2.4, not " + label);
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

    /** One attempt, or with "retries" the release's retry loop: answers the receiver's last status and body. */
    private Reply deliver(JsonObject body) {
        String instance = requiredString(body, "instance");
        String event = requiredString(body, "event");
        JsonObject data = body.containsKey("data") ? body.getJsonObject("data") : JsonValue.EMPTY_JSON_OBJECT;
        try {
            if (body.containsKey("retries")) {
                return new Reply(200, attemptsJson(simulator.deliverWithRetries(instance, event, data,
                        retryPlan(body.getJsonObject("retries")))));
            }
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

    /** refreshQr or pair: {"deliveries": [...]}, or 409 when the instance is not in a state to do it. */
    private static Reply phoneSide(Supplier<List<DeliveryAttempts>> action) {
        try {
            JsonArrayBuilder deliveries = Json.createArrayBuilder();
            action.get().forEach(attempts -> deliveries.add(attemptsJson(attempts)));
            return new Reply(200, Json.createObjectBuilder().add("deliveries", deliveries).build());
        } catch (IllegalStateException e) {
            return problem(409, e.getMessage());
        }
    }

    /** dropSession or forgetInstance: nothing is delivered; 404 for an unknown instance. */
    private static Reply unannounced(Runnable change) {
        try {
            change.run();
            return ok();
        } catch (IllegalStateException e) {
            return problem(404, e.getMessage());
        }
    }

    private static RetryPlan retryPlan(JsonObject retries) {
        return new RetryPlan(
                number(retries, "timeFactor", 1).doubleValue(),
                number(retries, "lostAttempts", 0).intValueExact(),
                Duration.ofMillis(Math.round(number(retries, "startedAgoSeconds", 0).doubleValue() * 1000)));
    }

    private static JsonObject attemptsJson(DeliveryAttempts delivery) {
        JsonArrayBuilder attempts = Json.createArrayBuilder();
        delivery.attempts().forEach(attempt -> attempts.add(Json.createObjectBuilder()
                .add("status", attempt.status())
                .add("lost", attempt.lost())
                .add("detail", String.valueOf(attempt.detail()))
                .add("delayBeforeMs", attempt.delayBefore().toMillis())));
        DeliveryAttempts.Attempt last = delivery.attempts().get(delivery.attempts().size() - 1);
        JsonObjectBuilder json = Json.createObjectBuilder()
                .add("status", last.status())
                .add("body", String.valueOf(last.detail()))
                .add("accepted", delivery.accepted())
                .add("attempts", attempts)
                .add("payload", delivery.body());
        return (delivery.authorization() == null ? json.addNull("authorization") : json.add("authorization", delivery.authorization()))
                .build();
    }

    private static JsonNumber number(JsonObject body, String field, long fallback) {
        JsonValue value = body.get(field);
        if (value == null) {
            return Json.createValue(fallback);
        }
        if (!(value instanceof JsonNumber number)) {
            throw new IllegalArgumentException("\"" + field + "\" must be a number");
        }
        return number;
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
