package com.evolutionprovisioner.monitoring;

import com.evolutionprovisioner.platform.health.CachedReadinessCheck;
import com.evolutionprovisioner.platform.health.ProbeResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether Evolution API answers at all (any HTTP status counts: reachability, not correctness). Signups still work
 * while it is down — the queue waits — but operators need to see it next to the other dependencies.
 */
@Readiness
@ApplicationScoped
public class EvolutionApiHealthCheck extends CachedReadinessCheck {

    private static final String NAME = "evolution-api";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Inject
    @ConfigProperty(name = "evolution.api.base.url")
    String baseUrl;

    @Override
    protected ProbeResult probe() {
        try {
            HttpResponse<Void> response = CLIENT.send(HttpRequest.newBuilder(URI.create(baseUrl)).timeout(Duration.ofSeconds(3))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return ProbeResult.up(NAME, Map.of("status", response.statusCode()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failed(NAME, e);
        } catch (Exception e) {
            return ProbeResult.failed(NAME, e);
        }
    }
}
