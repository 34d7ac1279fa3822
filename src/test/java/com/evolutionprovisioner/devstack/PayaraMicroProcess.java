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
public final class PayaraMicroProcess implements AutoCloseable {

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
                "-Xmx512m", "-Djava.io.tmpdir=" + tmp,
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

    /** Waits until the WAR is deployed and ready; fails early when the process dies. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        Readiness.awaitApplication(baseUrl(), timeout, process.toHandle(), log);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public Path log() {
        return log;
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
