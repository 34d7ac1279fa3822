package com.evolutionprovisioner.monitoring;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether Evolution API answers at all (any HTTP status counts: reachability, not correctness). Signups still work
 * while it is down — the queue waits — but operators need to see it next to the other dependencies.
 */
@Readiness
@ApplicationScoped
public class EvolutionApiHealthCheck implements HealthCheck {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Inject
    @ConfigProperty(name = "evolution.api.base.url")
    String baseUrl;

    @Override
    public HealthCheckResponse call() {
        try {
            HttpResponse<Void> response = CLIENT.send(HttpRequest.newBuilder(URI.create(baseUrl)).timeout(Duration.ofSeconds(3))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return HealthCheckResponse.named("evolution-api").up().withData("status", response.statusCode()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HealthCheckResponse.named("evolution-api").down().withData("error", "interrupted").build();
        } catch (Exception e) {
            return HealthCheckResponse.named("evolution-api").down().withData("error", e.toString()).build();
        }
    }
}
