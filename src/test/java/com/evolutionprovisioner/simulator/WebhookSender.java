package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.evolutionprovisioner.simulator.DeliveryAttempts.Attempt;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.DeliveryResult;
import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Prepares and sends webhook deliveries the way each Evolution release does, so the provisioner's receiver is tested
 * against realistic requests. What differs per release (checked against the tags' source):
 * <ul>
 * <li>1.x ({@code channel.service.ts}, 1.8.2) and 2.0 (2.0.10): no webhook headers at all, one attempt; {@code apikey}
 *     is the instance token in 1.x (its sample config exposes it) and absent in 2.0.</li>
 * <li>2.1.2 to 2.2.x ({@code webhook.controller.ts}, 2.2.3): the stored headers as they are, {@code jwt_key} included,
 *     raw; retries every 30 s on any failure.</li>
 * <li>2.3 ({@code V2_1}): a {@code jwt_key} header becomes {@code Authorization: Bearer <HS256 JWT>}, made once before
 *     the retry loop; exponential retries (see {@link RetrySchedule}).</li>
 * <li>2.4: as 2.3, plus {@code X-Instance-ID}, {@code X-Instance-Name}, {@code X-Event-Type}, {@code X-Timestamp} and
 *     {@code User-Agent: EvolutionAPI-Webhook/2.3.7} (sic: the 2.4.0-rc2 source hard-codes 2.3.7).</li>
 * </ul>
 * The body ({@code date_time} included) and headers are made once per event; every retry re-posts them unchanged.
 */
final class WebhookSender {

    /** What a delivery needs to know about an instance and its stored webhook. */
    record Target(String instanceName, String instanceId, String instanceToken, String sender, String url,
            JsonObject headers, boolean enabled, List<String> events, boolean byEvents) {

        /** Why Evolution would send nothing for {@code event} (dotted form) here, or null when it would send it. */
        String refusal(String event) {
            String configName = configName(event);
            if (!enabled || !events.contains(configName)) {
                return "the webhook of \"" + instanceName + "\" is "
                        + (enabled ? "not subscribed to " + configName : "disabled");
            }
            if (!HTTP_URL.matcher(url).find()) {
                return "webhook url \"" + url + "\" is not http(s): Evolution stores it but skips deliveries";
            }
            return null;
        }
    }

    /** One event an instance emits, on a server of the given release. {@code data} may be JSON null. */
    record Emission(Target target, String event, JsonValue data, ServerVersion version) {
    }

    /** The form Evolution emits events in (wa.types.ts), e.g. messages.upsert, group-participants.update. */
    private static final Pattern DELIVERED_EVENT = Pattern.compile("[a-z]+([.-][a-z]+)*");
    private static final Pattern HTTP_URL = Pattern.compile("^https?://");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String serverUrl;
    private final SimulatedClock clock;

    WebhookSender(String serverUrl, SimulatedClock clock) {
        this.serverUrl = serverUrl;
        this.clock = clock;
    }

    static String configName(String event) {
        return event.replaceAll("[.-]", "_").toUpperCase(Locale.ROOT);
    }

    /**
     * The delivery of {@code emission} as Evolution builds it before its first attempt, the event having been emitted
     * {@code startedAgo} ago by the server's clock.
     *
     * @throws IllegalStateException when Evolution would send nothing (disabled, not subscribed, non-http url,
     *                               unusable jwt_key)
     */
    PreparedDelivery prepare(Emission emission, Duration startedAgo) {
        String event = emission.event();
        if (!DELIVERED_EVENT.matcher(event).matches()) {
            throw new IllegalArgumentException("Evolution delivers dotted lower-case event names such as qrcode.updated, not " + event);
        }
        Target target = emission.target();
        String refusal = target.refusal(event);
        if (refusal != null) {
            throw new IllegalStateException(refusal);
        }
        Instant emittedAt = clock.now().minus(startedAgo);
        String url = target.byEvents()
                ? target.url() + "/" + configName(event).replace('_', '-').toLowerCase(Locale.ROOT)
                : target.url();
        return new PreparedDelivery(http, URI.create(url), headers(emission, emittedAt),
                payload(emission, emittedAt).toString(), RetrySchedule.REQUEST_TIMEOUT);
    }

    /**
     * Runs the release's retry loop for a prepared delivery: stops at the first 2xx, at a status the release never
     * retries, or after its last attempt.
     */
    static DeliveryAttempts retry(PreparedDelivery delivery, RetrySchedule schedule, RetryPlan plan)
            throws InterruptedException {
        List<Attempt> attempts = new ArrayList<>();
        Duration delay = Duration.ZERO;
        for (int number = 1; ; number++) {
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
            Attempt attempt = number <= plan.lostAttempts() ? lose(delivery, plan, delay) : post(delivery, delay);
            attempts.add(attempt);
            boolean accepted = attempt.status() / 100 == 2;
            if (accepted || number == schedule.maxAttempts() || !schedule.retries(attempt.status())) {
                return new DeliveryAttempts(attempts, accepted, delivery.authorization(), delivery.body());
            }
            delay = plan.scale(schedule.delayAfter(number, ThreadLocalRandom.current()));
        }
    }

    /** A request that never arrives: Evolution waits out its timeout, then counts a failure. */
    private static Attempt lose(PreparedDelivery delivery, RetryPlan plan, Duration delay) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(plan.scale(delivery.timeout()).toNanos());
        return new Attempt(0, true, "lost in the network: no answer within " + delivery.timeout().toSeconds() + " s", delay);
    }

    private static Attempt post(PreparedDelivery delivery, Duration delay) {
        try {
            DeliveryResult result = delivery.send();
            return new Attempt(result.status(), false, result.body(), delay);
        } catch (UncheckedIOException e) {
            return new Attempt(0, false, String.valueOf(e.getCause()), delay);
        }
    }

    private JsonObject payload(Emission emission, Instant emittedAt) {
        Target target = emission.target();
        JsonObjectBuilder payload = Json.createObjectBuilder()
                .add("event", emission.event())
                .add("instance", target.instanceName())
                .add("data", emission.data())
                .add("destination", target.url())
                .add("date_time", clock.dateTime(emittedAt));
        if (target.sender() != null) {
            payload.add("sender", target.sender()); // undefined, so left out, until the instance is paired
        }
        payload.add("server_url", serverUrl);
        // apikey: the instance token only with AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES, which 1.x's sample config
        // turns on; 2.0 then leaves the field out, 2.1 and later send null.
        switch (emission.version()) {
            case V1 -> payload.add("apikey", target.instanceToken());
            case V2_0 -> { }
            default -> payload.addNull("apikey");
        }
        return payload.build();
    }

    private static Map<String, String> headers(Emission emission, Instant emittedAt) {
        ServerVersion version = emission.version();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        // axios's own defaults, which the stored headers may override
        headers.put("Accept", "application/json, text/plain, */*");
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", version == ServerVersion.V1 || version == ServerVersion.V2_0 ? "axios/1.6.5" : "axios/1.7.9");
        if (version == ServerVersion.V1 || version == ServerVersion.V2_0) {
            return headers; // webhook headers arrived in 2.1.2
        }
        Target target = emission.target();
        JsonObject stored = target.headers() == null ? JsonValue.EMPTY_JSON_OBJECT : target.headers();
        stored.forEach((name, value) -> headers.put(name, value instanceof JsonString s ? s.getString() : value.toString()));
        // Since 2.3.0 Evolution tests `'jwt_key' in headers`: that exact name; the key signs a token, never sent itself.
        if (version != ServerVersion.V2_2 && stored.get("jwt_key") != null) {
            if (!(stored.get("jwt_key") instanceof JsonString key) || key.getString().isEmpty()) {
                throw new IllegalStateException("jsonwebtoken refuses this jwt_key, so Evolution sends nothing: " + stored.get("jwt_key"));
            }
            headers.remove("jwt_key");
            headers.put("Authorization", "Bearer " + hs256Jwt(key.getString(), emittedAt.getEpochSecond()));
        }
        if (version == ServerVersion.V2_4) {
            headers.put("Content-Type", "application/json");
            headers.put("X-Instance-ID", target.instanceId());
            headers.put("X-Instance-Name", target.instanceName());
            headers.put("X-Event-Type", emission.event());
            headers.put("X-Timestamp", Long.toString(emittedAt.toEpochMilli()));
            headers.put("User-Agent", "EvolutionAPI-Webhook/2.3.7");
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
