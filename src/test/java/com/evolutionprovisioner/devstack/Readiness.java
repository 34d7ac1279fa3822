package com.evolutionprovisioner.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/** Waiting for a server started in a child process, failing early when the process dies. */
final class Readiness {

    private Readiness() {
    }

    /**
     * Until /health/ready answers 200 with the application's own checks in it: the servers answer 200 with no checks
     * before the WAR is deployed, and print "ready" lines even when it failed.
     */
    static void awaitApplication(String healthBaseUrl, Duration timeout, ProcessHandle process, Path log) throws InterruptedException {
        await(URI.create(healthBaseUrl + "/health/ready"), timeout, process, log,
                response -> response.statusCode() == 200 && response.body().contains("\"database\""));
    }

    static void await(URI uri, Duration timeout, ProcessHandle process, Path log, Predicate<HttpResponse<String>> done)
            throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The server process has ended; see " + log);
            }
            try {
                if (done.test(client.send(request, HttpResponse.BodyHandlers.ofString()))) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(uri + " not ready within " + timeout + "; see " + log);
    }
}
