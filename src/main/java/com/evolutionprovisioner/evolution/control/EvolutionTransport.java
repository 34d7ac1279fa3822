package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.EvolutionVersion;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.ServerState;
import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Tag;

/**
 * One HTTP exchange with an Evolution server: the server of the instance the call is about (its placement), under
 * that server's own {@link ServerGuard} (bulkhead and circuit breaker), so that one server down or slow never delays
 * calls to another. A call waits at most EVOLUTION_TIMEOUT for the answer. Any HTTP answer is returned as is; only a
 * 5xx or an I/O failure throws, so that only those count against the circuit. The licence gate's answer takes the
 * server out of rotation.
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

    private Client client;

    @PostConstruct
    void init() {
        client = ClientBuilder.newBuilder()
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .build();
    }

    @PreDestroy
    void close() {
        client.close();
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
        WebTarget target = client.target(server.baseUrl()).path(path);
        for (var parameter : query.entrySet()) {
            target = target.queryParam(parameter.getKey(), parameter.getValue());
        }
        Invocation.Builder request = target.request(MediaType.APPLICATION_JSON).header("apikey", server.apiKey());
        EvolutionResponse answer;
        try (Response response = body == null
                ? request.method(method)
                : request.method(method, Entity.entity(body.toString(), MediaType.APPLICATION_JSON))) {
            answer = new EvolutionResponse(response.getStatus(), response.readEntity(String.class));
        } catch (ProcessingException ioFailure) {
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

    private void failed(ServerRoute server) {
        metrics.increment("evolution_server_failures", new Tag("server", server.name()));
    }

    private String describe(ProcessingException failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof SocketTimeoutException) {
            return "timed out (" + root.getMessage() + "; EVOLUTION_TIMEOUT " + timeout + ")";
        }
        return "failed: " + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }
}
