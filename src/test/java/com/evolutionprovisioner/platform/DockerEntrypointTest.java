package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * docker/entrypoint.sh turns the container's environment into the system properties file Payara Micro reads while it
 * deploys the WAR: every value must come back exactly, whatever characters a password holds.
 */
class DockerEntrypointTest {

    @Test
    void theDeployTimeValuesReachPayaraUnchanged() throws Exception {
        String password = "p\\a=ss:w#rd !";

        Properties properties = deployProperties(Map.of(
                "DB_URL", "jdbc:postgresql://db:5432/provisioner",
                "DB_USER", "provisioner",
                "DB_PASSWORD", password,
                "ARTEMIS_URL", "tcp://broker.internal:61617",
                "ARTEMIS_USER", "app",
                "ARTEMIS_PASSWORD", "secret"));

        assertThat(properties.getProperty("db.url")).isEqualTo("jdbc:postgresql://db:5432/provisioner");
        assertThat(properties.getProperty("db.user")).isEqualTo("provisioner");
        assertThat(properties.getProperty("db.password")).isEqualTo(password);
        assertThat(properties.getProperty("artemis.connection.parameters")).isEqualTo("host=broker.internal;port=61617");
        assertThat(properties.getProperty("artemis.user")).isEqualTo("app");
        assertThat(properties.getProperty("artemis.password")).isEqualTo("secret");
        assertThat(properties.getProperty("evolution.max.concurrency")).isEqualTo("8");
    }

    @Test
    void aMissingDatabaseSettingStopsTheContainerWithItsName() throws Exception {
        ProcessBuilder entrypoint = new ProcessBuilder("sh", "docker/entrypoint.sh", "--print-deploy-properties")
                .redirectErrorStream(true);
        entrypoint.environment().clear();
        entrypoint.environment().putAll(Map.of("PATH", System.getenv("PATH"), "DB_URL", "jdbc:postgresql://db/p",
                "ARTEMIS_USER", "app", "ARTEMIS_PASSWORD", "secret"));
        Process process = entrypoint.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor()).isEqualTo(64);
        assertThat(output).contains("DB_USER", "DB_PASSWORD").doesNotContain("ARTEMIS_USER");
    }

    private static Properties deployProperties(Map<String, String> environment) throws Exception {
        ProcessBuilder entrypoint = new ProcessBuilder("sh", "docker/entrypoint.sh", "--print-deploy-properties");
        entrypoint.environment().clear();
        entrypoint.environment().put("PATH", System.getenv("PATH"));
        entrypoint.environment().putAll(environment);
        Process process = entrypoint.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(errors).isZero();
        Properties properties = new Properties();
        properties.load(new StringReader(output));
        return properties;
    }
}
