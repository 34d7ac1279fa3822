package com.evolutionprovisioner.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Payara Micro running our RAR and WAR in a child process, the way production runs it. The RAR is deployed by a
 * post-boot command so that it is in place before the WAR's connection factories are created; readiness is the
 * application's own /health/ready, never Payara's "ready" log line (printed even when the WAR failed).
 */
public final class PayaraMicroProcess implements ApplicationServer {

    private final Process process;
    private final int httpPort;
    private final Path log;

    private PayaraMicroProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /**
     * @param buildDirectory Maven's target/ folder, holding the WAR, the RAR and the Payara Micro jar
     * @param settings       MicroProfile Config values for the node, passed as system properties through a
     *                       --systemproperties file, as docker/entrypoint.sh does in production
     */
    public static PayaraMicroProcess start(Path buildDirectory, String nodeName, int httpPort, Map<String, String> settings)
            throws IOException {
        Path work = Files.createDirectories(buildDirectory.resolve("payara").resolve(nodeName));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Path preBoot = PayaraCommandFiles.writePreBoot(work);
        Path postBoot = PayaraCommandFiles.writePostBoot(work, buildDirectory.resolve("artemis-rar.rar"));
        Path log = work.resolve("payara.log");
        Path systemProperties = work.resolve("node.properties");
        Properties properties = new Properties();
        properties.putAll(settings);
        try (var out = Files.newOutputStream(systemProperties)) {
            properties.store(out, "settings of " + nodeName);
        }

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.io.tmpdir=" + tmp));
        // For profiling a benchmark's node, e.g. -Dnode.jvm.options=-XX:FlightRecorderOptions:stackdepth=256
        String extraJvmOptions = System.getProperty("node.jvm.options", "");
        if (!extraJvmOptions.isBlank()) {
            command.addAll(List.of(extraJvmOptions.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-jar", payaraJar(buildDirectory).toString(),
                "--systemproperties", systemProperties.toString(),
                "--nohazelcast",
                "--port", Integer.toString(httpPort),
                "--prebootcommandfile", preBoot.toString(),
                "--postbootcommandfile", postBoot.toString(),
                "--deploy", buildDirectory.resolve("evolution-provisioner.war").toString(),
                "--contextroot", "/"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new PayaraMicroProcess(process, httpPort, log);
    }

    /**
     * The container's start, without a container: docker/entrypoint.sh run in a folder laid out as docker/Dockerfile
     * lays out /opt/payara (payara-micro.jar, config/*.asadmin, the RAR and the WAR), with the settings as the
     * environment variables `docker run -e` would pass. Not covered: the image build and the base image.
     *
     * @param settings MicroProfile Config keys and values, passed as the environment variables they map to; the
     *                 broker as ARTEMIS_URL, which the script turns into connection parameters
     * @return the process (the script execs Java) once the WAR is deployed and ready
     */
    public static PayaraMicroProcess startThroughDockerEntrypoint(Path buildDirectory, Path projectDirectory, int httpPort,
                                                                  String artemisUrl, Map<String, String> settings)
            throws IOException, InterruptedException {
        Path home = buildDirectory.resolve("docker-entrypoint").resolve("opt-payara");
        LocalMachine.deleteTree(home, false);
        Path config = Files.createDirectories(home.resolve("config"));
        Path serverConfig = projectDirectory.resolve("server-config").resolve("payara-micro");
        Files.copy(serverConfig.resolve("pre-boot.asadmin"), config.resolve("pre-boot.asadmin"));
        Files.copy(serverConfig.resolve("post-boot.asadmin"), config.resolve("post-boot.asadmin"));
        Files.copy(payaraJar(buildDirectory), home.resolve("payara-micro.jar"));
        Files.copy(buildDirectory.resolve("artemis-rar.rar"), home.resolve("artemis-rar.rar"));
        Files.copy(buildDirectory.resolve("evolution-provisioner.war"), home.resolve("evolution-provisioner.war"));

        ProcessBuilder builder = new ProcessBuilder(List.of("sh", projectDirectory.resolve("docker").resolve("entrypoint.sh").toString()))
                .redirectErrorStream(true);
        Path log = home.resolveSibling("console.log");
        builder.redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.putAll(ApplicationServer.asEnvironment(settings));
        environment.remove("ARTEMIS_CONNECTION_PARAMETERS");
        environment.put("ARTEMIS_URL", artemisUrl);
        environment.put("HOME_DIR", home.toString());
        environment.put("HTTP_PORT", Integer.toString(httpPort));
        environment.put("HTTP_BIND_ADDRESS", "127.0.0.1");
        environment.put("JVM_ARGS", "-Xmx512m -Djava.io.tmpdir=" + Files.createDirectories(home.resolve("tmp")));
        environment.put("TMPDIR", Files.createDirectories(entrypointTemporaryFolder(buildDirectory)).toString());
        environment.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));

        PayaraMicroProcess server = new PayaraMicroProcess(builder.start(), httpPort, log);
        try {
            server.awaitReady(Duration.ofMinutes(3));
            return server;
        } catch (InterruptedException | RuntimeException failed) {
            server.close();
            throw failed;
        }
    }

    /** Where docker/entrypoint.sh, started by {@link #startThroughDockerEntrypoint}, makes its temporary files. */
    public static Path entrypointTemporaryFolder(Path buildDirectory) {
        return buildDirectory.resolve("docker-entrypoint").resolve("opt-payara").resolve("entrypoint-tmp");
    }

    /** Waits until the WAR is deployed and ready; fails early when the process dies. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        Readiness.awaitApplication(baseUrl(), timeout, process.toHandle(), log);
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
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Like kill -9: no shutdown hooks, work in flight is abandoned. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            kill();
        }
    }

    static Path payaraJar(Path buildDirectory) throws IOException {
        try (var files = Files.list(buildDirectory)) {
            return files.filter(file -> file.getFileName().toString().matches("payara-micro-.*\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("No payara-micro-*.jar in " + buildDirectory
                            + ": run ./mvnw package first"));
        }
    }
}
