package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.devstack.ApplicationServer;
import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The container's start script with the image's file layout, on Payara Micro, configured by environment only. */
class DockerEntrypointIT extends SameWarElsewhereContract {

    @Override
    protected ApplicationServer start(Map<String, String> settings, int httpPort) throws Exception {
        return PayaraMicroProcess.startThroughDockerEntrypoint(env.buildDirectory(), Path.of("").toAbsolutePath(), httpPort,
                "tcp://127.0.0.1:" + backends.broker().port(), settings);
    }

    @Override
    protected String nodeId() {
        return "docker-entrypoint";
    }

    /** The database and broker passwords reached the server (it is ready), yet no file holds them any more. */
    @Test
    void noFileWithThePasswordsIsLeftOnceTheServerRuns() throws Exception {
        try (var left = Files.list(PayaraMicroProcess.entrypointTemporaryFolder(env.buildDirectory()))) {
            assertThat(left).isEmpty();
        }
    }

    /** The suite runs in production mode with http on 127.0.0.1, allowed explicitly: the start-up log says so. */
    @Test
    void anInsecureWebhookUrlAllowedExplicitlyIsAWarningAtStartUp() throws Exception {
        assertThat(Files.readAllLines(server.serverLog()))
                .filteredOn(line -> line.contains("ALLOW_INSECURE_WEBHOOK_URL=true: PUBLIC_BASE_URL is " + server.baseUrl()))
                .hasSize(1);
    }
}
