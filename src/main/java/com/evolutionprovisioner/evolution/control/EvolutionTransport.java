package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.EvolutionVersion;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.ServerState;
import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Tag;

/**
 * One HTTP exchange with an Evolution server: the server of the instance the call is about (its placement), under
 * that server's own {@link ServerGuard} (bulkhead and circuit breaker), so that one server down or slow never delays
 * calls to another. A call waits at most EVOLUTION_TIMEOUT for the answer. Any HTTP answer is returned as is; only a
 * 5xx or an I/O failure throws, so that only those count against the circuit. The licence gate's answer takes the
 * server out of rotation.
 *
 * <p>A plain blocking {@link HttpURLConnection} (the JDK keeps its connections alive): profiled under load, the
 * JAX-RS client's pipeline cost ~2 ms of CPU per call, a tenth of a provisioned user's, and the JDK's asynchronous
 * {@code HttpClient} added ~30 ms to each call on a busy node, passing every answer between three threads, while the
 * bulkhead counts the call as under way.
 */
@ApplicationScoped
public class EvolutionTransport {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    @Inject
    @ConfigProperty(name = "evolution.timeout")
    Duration timeout;

    @Inject
    EvolutionPool pool;

    @Inject
    ServerGuards guards;

    @Inject
    ServerVersions versions;

    @Inject
    ApplicationMetrics metrics;

    /** A call about {@code instance}, sent to the server it is placed on. */
    public EvolutionResponse exchange(InstanceName instance, String method, String path, Map<String, String> query,
                                      JsonObject body) {
        return exchange(pool.routeOf(instance), method, path, query, body);
    }

    /** The version of the server {@code instance} is placed on, when known or readable now. */
    public Optional<EvolutionVersion> versionFor(InstanceName instance) {
        return versions.of(pool.routeOf(instance));
    }

    /** The server {@code instance}'s version selected a shape the server refused: read its version again. */
    public void versionRefused(InstanceName instance) {
        versions.forget(pool.routeOf(instance).name());
    }

    /** A call to one server, whatever instance it is about (its version, its health). */
    public EvolutionResponse exchange(ServerRoute server, String method, String path, Map<String, String> query,
                                      JsonObject body) {
        EvolutionResponse answer = guards.of(server.name()).call(() -> send(server, method, path, query, body));
        if (answer.isLicenceRequired() && server.state() == ServerState.ACTIVE) {
            pool.takeOutForLicence(server.name(), answer.summary());
        }
        return answer;
    }

    private EvolutionResponse send(ServerRoute server, String method, String path, Map<String, String> query,
                                   JsonObject body) {
        EvolutionResponse answer;
        try {
            answer = exchangeOnce(uri(server.baseUrl(), path, query), method, server.apiKey(), body);
        } catch (IOException ioFailure) {
            failed(server);
            throw EvolutionException.unavailable(method + " " + path + " on server " + server.name() + " "
                    + describe(ioFailure), ioFailure);
        }
        if (answer.status() >= 500 && !answer.isLicenceRequired()) {
            failed(server);
            throw EvolutionException.unavailable(method + " " + path + " on server " + server.name() + " answered "
                    + answer.summary(), null);
        }
        return answer;
    }

    private EvolutionResponse exchangeOnce(URI uri, String method, String apiKey, JsonObject body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        connection.setReadTimeout((int) timeout.toMillis());
        connection.setRequestMethod(method);
        connection.setRequestProperty("Accept", "application/json");
        connection.setRequestProperty("apikey", apiKey);
        if (body != null) {
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(bytes);
            }
        }
        int status = connection.getResponseCode();
        // Read to the end, error or not: only a fully read answer lets the JDK reuse the connection.
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            return new EvolutionResponse(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** The server's base URL (perhaps with a path of its own) joined to the call's path, and the encoded query. */
    static URI uri(String baseUrl, String path, Map<String, String> query) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        String encodedQuery = query.entrySet().stream()
                .map(parameter -> URLEncoder.encode(parameter.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return URI.create(base + (path.startsWith("/") ? path : "/" + path) + (encodedQuery.isEmpty() ? "" : "?" + encodedQuery));
    }

    private void failed(ServerRoute server) {
        metrics.increment("evolution_server_failures", new Tag("server", server.name()));
    }

    private String describe(IOException failure) {
        if (failure instanceof SocketTimeoutException) {
            return "timed out (" + failure.getMessage() + "; EVOLUTION_TIMEOUT " + timeout + ")";
        }
        return "failed: " + failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : " " + failure.getMessage());
    }
}
