package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.DeliveryResult;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends webhook deliveries the way Evolution's webhook.controller.ts emit() does, so the provisioner's receiver is
 * tested against realistic requests: the per-event URL suffix when byEvents is on, the stored headers, and a
 * {@code jwt_key} header turned into {@code Authorization: Bearer <HS256 JWT>}. One attempt per call: tests drive
 * retries themselves by calling again.
 */
final class WebhookSender {

    /** What a delivery needs to know about an instance and its stored webhook. */
    record Target(String instanceName, String instanceId, String sender, String url, JsonObject headers,
            boolean enabled, List<String> events, boolean byEvents) {
    }

    /** The form Evolution emits events in (wa.types.ts), e.g. messages.upsert, group-participants.update. */
    private static final Pattern DELIVERED_EVENT = Pattern.compile("[a-z]+([.-][a-z]+)*");
    private static final Pattern HTTP_URL = Pattern.compile("^https?://");
    private static final DateTimeFormatter LOCAL_TIME_WITH_Z = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String serverUrl;

    WebhookSender(String serverUrl) {
        this.serverUrl = serverUrl;
    }

    /**
     * POSTs {@code event} to the target's webhook.
     *
     * @throws IllegalStateException when Evolution would send nothing (disabled, not subscribed, non-http url, unusable jwt_key)
     * @throws UncheckedIOException  when the receiver cannot be reached
     */
    DeliveryResult send(Target target, String event, JsonObject data) {
        if (!DELIVERED_EVENT.matcher(event).matches()) {
            throw new IllegalArgumentException("Evolution delivers dotted lower-case event names such as qrcode.updated, not " + event);
        }
        String configName = event.replaceAll("[.-]", "_").toUpperCase(Locale.ROOT);
        if (!target.enabled() || !target.events().contains(configName)) {
            throw new IllegalStateException("the webhook of \"" + target.instanceName() + "\" is "
                    + (target.enabled() ? "not subscribed to " + configName : "disabled"));
        }
        if (!HTTP_URL.matcher(target.url()).find()) {
            throw new IllegalStateException("webhook url \"" + target.url() + "\" is not http(s): Evolution stores it but skips deliveries");
        }
        String url = target.byEvents()
                ? target.url() + "/" + configName.replace('_', '-').toLowerCase(Locale.ROOT)
                : target.url();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(payload(target, event, data).toString(), UTF_8));
        headers(target, event).forEach((name, value) -> {
            try {
                request.header(name, value);
            } catch (IllegalArgumentException restricted) {
                // Host, Connection and the like: the JDK client sets its own, as Node's does.
            }
        });
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new DeliveryResult(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("delivery to " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delivering to " + url, e);
        }
    }

    private JsonObject payload(Target target, String event, JsonObject data) {
        JsonObjectBuilder payload = Json.createObjectBuilder()
                .add("event", event)
                .add("instance", target.instanceName())
                .add("data", data)
                .add("destination", target.url())
                // Evolution formats local time as ISO and appends a Z: only right when the server runs in UTC.
                .add("date_time", LocalDateTime.now().format(LOCAL_TIME_WITH_Z));
        if (target.sender() != null) {
            payload.add("sender", target.sender()); // absent until the instance is paired
        }
        // apikey is the instance token only with AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES=true; the default is null.
        return payload.add("server_url", serverUrl).addNull("apikey").build();
    }

    /** 2.4.0's fixed headers, overridden by the stored ones, where a jwt_key becomes a Bearer token. */
    private static Map<String, String> headers(Target target, String event) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "EvolutionAPI-Webhook/2.4.0-sim");
        headers.put("X-Instance-ID", target.instanceId());
        headers.put("X-Instance-Name", target.instanceName());
        headers.put("X-Event-Type", event);
        JsonObject stored = target.headers() == null ? JsonValue.EMPTY_JSON_OBJECT : target.headers();
        stored.forEach((name, value) -> headers.put(name, value instanceof JsonString s ? s.getString() : value.toString()));
        // Evolution tests `'jwt_key' in headers`: that exact name; the key signs a token and is never sent itself.
        if (stored.get("jwt_key") != null) {
            if (!(stored.get("jwt_key") instanceof JsonString key) || key.getString().isEmpty()) {
                throw new IllegalStateException("jsonwebtoken refuses this jwt_key, so Evolution sends nothing: " + stored.get("jwt_key"));
            }
            headers.remove("jwt_key");
            headers.put("Authorization", "Bearer " + hs256Jwt(key.getString(), Instant.now().getEpochSecond()));
        }
        return headers;
    }

    /**
     * jsonwebtoken's {@code jwt.sign({iat, exp: iat + 600, app: "evolution", action: "webhook"}, key, {algorithm: "HS256"})}.
     * Hand-rolled because, like jsonwebtoken, it must take keys of any length; nimbus refuses HMAC keys under 256 bits.
     */
    static String hs256Jwt(String key, long issuedAt) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(UTF_8));
        String claims = base64.encodeToString(Json.createObjectBuilder()
                .add("iat", issuedAt)
                .add("exp", issuedAt + 600)
                .add("app", "evolution")
                .add("action", "webhook")
                .build().toString().getBytes(UTF_8));
        String signingInput = header + "." + claims;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(UTF_8), "HmacSHA256"));
            return signingInput + "." + base64.encodeToString(mac.doFinal(signingInput.getBytes(UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
