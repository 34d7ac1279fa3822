package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/entrypoint.sh turns the container's environment into the system properties Payara Micro reads while it
 * deploys the WAR: every value must come back exactly, whatever characters a password holds, without leaving a file
 * behind; and it stops a container that lacks a secret before Java starts.
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
        assertThat(properties.getProperty("provisioning.workers")).isEqualTo("16");
        assertThat(properties.getProperty("webhook.apply.workers")).isEqualTo("4");
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

    @Test
    void aMissingSecretStopsTheContainerWithItsName(@TempDir Path home) throws Exception {
        Map<String, String> environment = startableEnvironment(home);
        environment.remove("SECRETS_KEY");

        Started started = start(environment, home);

        assertThat(started.exitStatus()).isEqualTo(64);
        assertThat(started.output()).contains("SECRETS_KEY is not set").doesNotContain("java was started");
    }

    @Test
    void aJwksOnlyContainerNeedsNoJwtSecret(@TempDir Path home) throws Exception {
        Map<String, String> withoutSecret = startableEnvironment(home);
        withoutSecret.remove("JWT_SECRET");
        Map<String, String> jwksOnly = new HashMap<>(withoutSecret);
        jwksOnly.put("JWT_HS256_ENABLED", "false");

        assertThat(start(withoutSecret, home).output()).contains("JWT_SECRET is not set");
        assertThat(start(jwksOnly, home).output()).contains("java was started");
    }

    /**
     * Payara Micro reads the deploy-time values, passwords included, through a descriptor of a file whose name is gone
     * before Java starts: nothing is left in the temporary folder for the application user to read later.
     */
    @Test
    void thePasswordsFileIsGoneBeforeJavaStartsAndStillReadable(@TempDir Path home) throws Exception {
        Started started = start(startableEnvironment(home), home);

        assertThat(started.exitStatus()).as(started.output()).isZero();
        assertThat(started.output()).contains("java was started", "--systemproperties /dev/fd/3",
                "db.password=p\\\\a=ss:w#rd !", "files left in TMPDIR: 0");
    }

    /** docker/Dockerfile: what the image copies in is root's, without a write bit, so the application cannot change it. */
    @Test
    void theImageCopiesRuntimeFilesReadOnlyForTheApplicationUser() throws Exception {
        List<String> copies = Files.readAllLines(Path.of("docker/Dockerfile")).stream()
                .filter(line -> line.startsWith("COPY ")).toList();

        assertThat(copies).hasSize(3).allSatisfy(copy -> {
            assertThat(copy).doesNotContain("--chown").containsPattern("--chmod=0[45][45][45] ");
        });
        assertThat(Files.readString(Path.of("docker/Dockerfile")))
                .contains("chown root:root /opt/payara /opt/payara/config /opt/payara/payara-micro.jar");
    }

    /** A compose deployment's secrets (docker/.env) stay out of git and out of the image's build context. */
    @Test
    void theComposeSecretsFileIsNeverCommittedNorSentToTheBuild() throws Exception {
        assertThat(Files.readAllLines(Path.of(".gitignore"))).contains("docker/.env");
        assertThat(Files.readAllLines(Path.of(".dockerignore"))).contains("docker/.env");
    }

    /** The variables the container needs, and a stand-in for java on PATH that shows what it was given. */
    private static Map<String, String> startableEnvironment(Path home) throws Exception {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path tmp = Files.createDirectories(home.resolve("tmp"));
        Files.writeString(bin.resolve("java"), """
                #!/bin/sh
                echo "java was started with: $*"
                while [ $# -gt 0 ]; do
                    [ "$1" = "--systemproperties" ] && cat "$2"
                    shift
                done
                echo "files left in TMPDIR: $(ls -A "$TMPDIR" | wc -l)"
                """);
        bin.resolve("java").toFile().setExecutable(true);
        Map<String, String> environment = new HashMap<>(Map.of(
                "PATH", bin + ":" + System.getenv("PATH"), "TMPDIR", tmp.toString(), "HOME_DIR", home.toString(),
                "DB_URL", "jdbc:postgresql://db:5432/provisioner", "DB_USER", "provisioner",
                "DB_PASSWORD", "p\\a=ss:w#rd !", "ARTEMIS_USER", "app", "ARTEMIS_PASSWORD", "secret"));
        environment.putAll(Map.of("JWT_SECRET", "a-project-jwt-secret-of-more-than-32-bytes",
                "SECRETS_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "EVOLUTION_API_KEY", "evolution-key",
                "PUBLIC_BASE_URL", "https://provisioner.example.com"));
        return environment;
    }

    private record Started(int exitStatus, String output) {
    }

    private static Started start(Map<String, String> environment, Path home) throws Exception {
        ProcessBuilder entrypoint = new ProcessBuilder("sh", Path.of("docker/entrypoint.sh").toAbsolutePath().toString())
                .directory(home.toFile())
                .redirectErrorStream(true);
        entrypoint.environment().clear();
        entrypoint.environment().putAll(environment);
        Process process = entrypoint.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Started(process.waitFor(), output);
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
