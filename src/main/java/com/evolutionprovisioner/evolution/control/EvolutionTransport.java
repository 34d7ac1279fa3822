package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;

/**
 * One HTTP exchange with Evolution API, guarded by MicroProfile Fault Tolerance: a timeout, a circuit breaker so a
 * dead server is not hammered, and a bulkhead capping concurrent calls (EVOLUTION_MAX_CONCURRENCY, mapped by
 * {@link FaultToleranceConfigSource}). Any HTTP answer is returned as is; only a 5xx or an I/O failure throws, so
 * that only those count against the circuit.
 */
@ApplicationScoped
public class EvolutionTransport {

    @Inject
    @ConfigProperty(name = "evolution.api.base.url")
    String baseUrl;

    @Inject
    @ConfigProperty(name = "evolution.api.key")
    String apiKey;

    @Inject
    @ConfigProperty(name = "evolution.timeout")
    Duration timeout;

    private Client client;

    @PostConstruct
    void init() {
        client = ClientBuilder.newBuilder()
                .connectTimeout(5, TimeUnit.SECONDS)
                // A blocked socket read ignores the @Timeout's interrupt: the read timeout is what unblocks it.
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .build();
    }

    @PreDestroy
    void close() {
        client.close();
    }

    @Timeout(value = 10, unit = java.time.temporal.ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 15, delayUnit = java.time.temporal.ChronoUnit.SECONDS,
            successThreshold = 2, skipOn = BulkheadException.class)
    @Bulkhead(8)
    public EvolutionResponse exchange(String method, String path, Map<String, String> query, JsonObject body) {
        WebTarget target = client.target(baseUrl).path(path);
        for (var parameter : query.entrySet()) {
            target = target.queryParam(parameter.getKey(), parameter.getValue());
        }
        Invocation.Builder request = target.request(MediaType.APPLICATION_JSON).header("apikey", apiKey);
        EvolutionResponse answer;
        try (Response response = body == null
                ? request.method(method)
                : request.method(method, Entity.entity(body.toString(), MediaType.APPLICATION_JSON))) {
            answer = new EvolutionResponse(response.getStatus(), response.readEntity(String.class));
        } catch (ProcessingException ioFailure) {
            throw EvolutionException.unavailable(method + " " + path + " failed: " + rootMessage(ioFailure), ioFailure);
        }
        if (answer.status() >= 500 && !answer.isLicenceRequired()) {
            throw EvolutionException.unavailable(method + " " + path + " answered " + answer.summary(), null);
        }
        return answer;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }
}
