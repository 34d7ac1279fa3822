package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Plain HTTP calls to a simulator, as a client of Evolution makes them, for the simulator's own tests. */
final class SimulatorHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final EvolutionApiSimulator simulator;

    SimulatorHttp(EvolutionApiSimulator simulator) {
        this.simulator = simulator;
    }

    /** {@code body} null sends none; {@code apiKey} null sends no apikey header. */
    HttpResponse<String> call(String method, String path, String apiKey, String body) {
        try {
            return HTTP.send(request(method, path, apiKey, body), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #call}, without waiting for the answer (a call held by a fault). */
    CompletableFuture<HttpResponse<String>> callAsync(String method, String path, String apiKey, String body) {
        return HTTP.sendAsync(request(method, path, apiKey, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String apiKey, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (apiKey != null) {
            request.header("apikey", apiKey);
        }
        return request.build();
    }

    static JsonValue json(HttpResponse<String> response) {
        return json(response.body());
    }

    static JsonValue json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }
}
