package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.DeliveryResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One webhook delivery as Evolution prepares it, once, before its retry loop: the URL, the headers (a {@code jwt_key}
 * already turned into its Bearer token) and the body ({@code date_time} included). Every {@link #send()} posts exactly
 * these bytes again, as Evolution's retries do. Immutable and thread-safe: tests may send it many times, in parallel.
 */
public final class PreparedDelivery {

    private final HttpClient http;
    private final HttpRequest request;
    private final Map<String, String> headers;
    private final String body;
    private final Duration timeout;

    PreparedDelivery(HttpClient http, URI url, Map<String, String> wantedHeaders, String body, Duration timeout) {
        this.http = http;
        this.body = body;
        this.timeout = timeout;
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(body, UTF_8));
        Map<String, String> sent = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        wantedHeaders.forEach((name, value) -> {
            try {
                builder.header(name, value);
                sent.put(name, value);
            } catch (IllegalArgumentException restricted) {
                // Host, Connection and the like: the JDK client sets its own, as Node's does.
            }
        });
        this.request = builder.build();
        this.headers = Collections.unmodifiableMap(sent);
    }

    public String url() {
        return request.uri().toString();
    }

    /** The headers every attempt sends (case-insensitive names). */
    public Map<String, String> headers() {
        return headers;
    }

    /** The JSON body every attempt sends. */
    public String body() {
        return body;
    }

    /** The {@code Authorization} header, or null when the delivery has none. */
    public String authorization() {
        return headers.get("Authorization");
    }

    /**
     * Posts the delivery once.
     *
     * @throws UncheckedIOException when the receiver cannot be reached or does not answer within the timeout
     */
    public DeliveryResult send() {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new DeliveryResult(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("delivery to " + url() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delivering to " + url(), e);
        }
    }

    Duration timeout() {
        return timeout;
    }
}
