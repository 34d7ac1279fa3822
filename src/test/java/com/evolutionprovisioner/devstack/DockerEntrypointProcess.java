package com.evolutionprovisioner.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The container's start, without a container: docker/entrypoint.sh run in a folder laid out as docker/Dockerfile lays
 * out /opt/payara (payara-micro.jar, config/*.asadmin, the RAR and the WAR), with the settings as environment variables
 * the way `docker run -e` passes them. What it does not cover: the image build and the base image itself.
 */
public final class DockerEntrypointProcess implements ApplicationServer {

    private final Process process;
    private final int httpPort;
    private final Path log;

    private DockerEntrypointProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /**
     * @param settings MicroProfile Config keys and values, passed as the environment variables they map to; the
     *                 broker as ARTEMIS_URL, which the script turns into connection parameters
     * @return the process once the WAR is deployed and ready
     */
    public static DockerEntrypointProcess start(Path buildDirectory, Path projectDirectory, int httpPort,
                                                String artemisUrl, Map<String, String> settings)
            throws IOException, InterruptedException {
        Path home = buildDirectory.resolve("docker-entrypoint").resolve("opt-payara");
        LocalMachine.deleteTree(home, false);
        Path config = Files.createDirectories(home.resolve("config"));
        Path serverConfig = projectDirectory.resolve("server-config").resolve("payara-micro");
        Files.copy(serverConfig.resolve("pre-boot.asadmin"), config.resolve("pre-boot.asadmin"));
        Files.copy(serverConfig.resolve("post-boot.asadmin"), config.resolve("post-boot.asadmin"));
        Files.copy(PayaraMicroProcess.payaraJar(buildDirectory), home.resolve("payara-micro.jar"));
        Files.copy(buildDirectory.resolve("artemis-rar.rar"), home.resolve("artemis-rar.rar"));
        Files.copy(buildDirectory.resolve("evolution-provisioner.war"), home.resolve("evolution-provisioner.war"));

        ProcessBuilder builder = new ProcessBuilder(List.of("sh", projectDirectory.resolve("docker").resolve("entrypoint.sh").toString()))
                .redirectErrorStream(true);
        Path log = home.resolveSibling("console.log");
        builder.redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        settings.forEach((key, value) -> environment.put(key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT), value));
        environment.remove("ARTEMIS_CONNECTION_PARAMETERS");
        environment.put("ARTEMIS_URL", artemisUrl);
        environment.put("HOME_DIR", home.toString());
        environment.put("HTTP_PORT", Integer.toString(httpPort));
        environment.put("HTTP_BIND_ADDRESS", "127.0.0.1");
        environment.put("JVM_ARGS", "-Xmx512m -Djava.io.tmpdir=" + Files.createDirectories(home.resolve("tmp")));
        environment.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));

        DockerEntrypointProcess server = new DockerEntrypointProcess(builder.start(), httpPort, log);
        try {
            Readiness.awaitApplication(server.baseUrl(), Duration.ofMinutes(3), server.process.toHandle(), log);
            return server;
        } catch (InterruptedException | RuntimeException failed) {
            server.close();
            throw failed;
        }
    }

    /** The script execs Java: its process is the server's. */
    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    @Override
    public Path serverLog() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
