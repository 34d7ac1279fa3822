package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.EvolutionVersion;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.ServerState;
import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * <p>The JDK's HTTP client, not the JAX-RS one: profiled under load, Jersey's client pipeline cost ~2 ms of CPU per
 * call (a tenth of a provisioned user's), the JDK's a fraction of that. Its threads come from the container.
 */
@ApplicationScoped
public class EvolutionTransport {

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

    @Resource
    ManagedThreadFactory threads;

    private ExecutorService clientThreads;
    private HttpClient client;

    @PostConstruct
    void init() {
        clientThreads = Executors.newCachedThreadPool(threads);
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // Evolution speaks HTTP/1.1: no h2c upgrade offered on each call
                .connectTimeout(Duration.ofSeconds(5))
                .executor(clientThreads)
                .build();
    }

    @PreDestroy
    void close() {
        clientThreads.shutdownNow(); // the client itself has no close() before Java 21
    }

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
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(server.baseUrl(), path, query))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("apikey", server.apiKey());
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        EvolutionResponse answer;
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            answer = new EvolutionResponse(response.statusCode(), response.body());
        } catch (IOException ioFailure) {
            failed(server);
            throw EvolutionException.unavailable(method + " " + path + " on server " + server.name() + " "
                    + describe(ioFailure), ioFailure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw EvolutionException.unavailable(method + " " + path + " on server " + server.name()
                    + " interrupted (the node is stopping)", interrupted);
        }
        if (answer.status() >= 500 && !answer.isLicenceRequired()) {
            failed(server);
            throw EvolutionException.unavailable(method + " " + path + " on server " + server.name() + " answered "
                    + answer.summary(), null);
        }
        return answer;
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
        if (failure instanceof HttpTimeoutException) {
            return "timed out (" + failure.getMessage() + "; EVOLUTION_TIMEOUT " + timeout + ")";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "failed: " + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }
}
