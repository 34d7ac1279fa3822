package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.devstack.LocalMachine;
import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Without JWT_SECRET or SECRETS_KEY the WAR is not deployed: where a public default used to stand in, the server
 * names the missing variable in one log line and never becomes ready. Every other setting is the suite's own, in
 * production mode, so the missing secret is the only reason.
 */
class MissingSecretDeploymentIT {

    @ParameterizedTest
    @CsvSource({"jwt.secret, JWT_SECRET", "secrets.key, SECRETS_KEY"})
    void theWarIsNotDeployedWithoutTheSecret(String key, String variable) throws Exception {
        TestEnvironment.Running env = TestEnvironment.get();
        int httpPort = LocalMachine.freePort();
        Map<String, String> settings = env.nodeSettings("refused", "http://127.0.0.1:" + httpPort);
        settings.remove(key);

        try (PayaraMicroProcess server = PayaraMicroProcess.start(env.buildDirectory(), "refused-" + variable, httpPort, settings)) {
            Path log = server.serverLog();
            // Payara Micro prints its "ready in" line whether or not the WAR deployed.
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !server.isAlive() || Files.readString(log).contains(" ready in "));
            List<String> lines = Files.readAllLines(log);
            Api.Reply ready = new Api(server.baseUrl()).get("/health/ready", null);

            assertThat(lines).filteredOn(line -> line.contains(RefuseUnsafeDeployment.REFUSED))
                    .singleElement().asString().contains(RefuseUnsafeDeployment.REFUSED + variable + " is not set");
            assertThat(ready.body()).doesNotContain("\"database\"");
            assertThat(new Api(server.baseUrl()).get("/api/profiles/me", null).status()).isEqualTo(404);
            // Refused before any bean ran: the schema migration, a start-up singleton, never started.
            assertThat(lines).noneMatch(line -> line.contains("Database schema at version"));
        }
    }
}
