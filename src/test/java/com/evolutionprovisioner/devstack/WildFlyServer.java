package com.evolutionprovisioner.devstack;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * WildFly running the same RAR and WAR as Payara, set up with the operator's files of server-config/wildfly:
 * install-eclipselink.sh, then setup.cli against the running server. Its settings reach it as environment variables,
 * as in production. The HTTP API is on one free port, health (/health/*) on WildFly's management port.
 */
public final class WildFlyServer implements ApplicationServer {

    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(4);

    private final Process process;
    private final int httpPort;
    private final int managementPort;
    private final Path log;

    private WildFlyServer(Process process, int httpPort, int managementPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * @param wildFlyHome    an unpacked WildFly distribution (its standalone/ folder is copied, never written to)
     * @param settings       MicroProfile Config keys and values, passed as the environment variables they map to
     * @return the server once the WAR is deployed and ready
     */
    public static WildFlyServer start(Path wildFlyHome, Path eclipseLinkJar, Path buildDirectory, Path projectDirectory,
                                      String nodeName, int httpPort, Map<String, String> settings)
            throws IOException, InterruptedException {
        Path serverConfig = projectDirectory.resolve("server-config").resolve("wildfly");
        LocalMachine.runToEnd("install-eclipselink.sh", List.of("sh", serverConfig.resolve("install-eclipselink.sh").toString(),
                wildFlyHome.toString(), eclipseLinkJar.toString()), buildDirectory, Map.of(), STEP_TIMEOUT);

        Path work = buildDirectory.resolve("wildfly-" + nodeName);
        LocalMachine.deleteTree(work, false);
        Path base = work.resolve("standalone");
        LocalMachine.copyTree(wildFlyHome.resolve("standalone").resolve("configuration"), base.resolve("configuration"));
        Files.createDirectories(base.resolve("deployments"));
        Path staging = Files.createDirectories(work.resolve("deployments-to-add"));
        Files.copy(buildDirectory.resolve("artemis-rar.rar"), staging.resolve("artemis-rar.rar"));
        Files.copy(buildDirectory.resolve("evolution-provisioner.war"), staging.resolve("evolution-provisioner.war"));

        int managementPort = LocalMachine.freePort();
        Map<String, String> environment = ApplicationServer.asEnvironment(settings);
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        List<String> javaOptions = new ArrayList<>(List.of("-Xmx512m", "-Djava.net.preferIPv4Stack=true"));
        javaOptions.addAll(ApplicationServer.testJvmOptions());
        environment.put("JAVA_OPTS", String.join(" ", javaOptions));
        environment.put("LAUNCH_JBOSS_IN_BACKGROUND", "true");

        Path log = work.resolve("console.log");
        ProcessBuilder builder = new ProcessBuilder(List.of("sh", wildFlyHome.resolve("bin").resolve("standalone.sh").toString(),
                "-c", "standalone.xml",
                "-Djboss.server.base.dir=" + base,
                "-Djboss.node.name=" + nodeName,
                "-Djboss.bind.address=127.0.0.1",
                "-Djboss.bind.address.management=127.0.0.1",
                "-Djboss.http.port=" + httpPort,
                "-Djboss.https.port=" + LocalMachine.freePort(),
                "-Djboss.management.http.port=" + managementPort,
                "-Djboss.management.https.port=" + LocalMachine.freePort()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        WildFlyServer server = new WildFlyServer(builder.start(), httpPort, managementPort, log);
        try {
            server.awaitManagementInterface();
            LocalMachine.runToEnd("setup.cli", List.of("sh", wildFlyHome.resolve("bin").resolve("jboss-cli.sh").toString(),
                            "--connect", "--controller=127.0.0.1:" + managementPort, "--file=" + serverConfig.resolve("setup.cli")),
                    staging, Map.of("JAVA_HOME", System.getProperty("java.home")), STEP_TIMEOUT);
            Readiness.awaitApplication(server.healthBaseUrl(), STEP_TIMEOUT, server.process.toHandle(), log);
            return server;
        } catch (IOException | InterruptedException | RuntimeException failed) {
            server.close();
            throw failed;
        }
    }

    private void awaitManagementInterface() throws InterruptedException {
        // Any answer, 401 included, means the management interface is up.
        Readiness.await(URI.create(managementUrl() + "/management"), STEP_TIMEOUT, process.toHandle(), log, response -> true);
    }

    /** standalone.sh runs WildFly's JVM as its child. */
    @Override
    public long pid() {
        return process.descendants()
                .filter(child -> child.info().command().map(command -> command.endsWith("java")).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("No WildFly JVM under " + process.pid()))
                .pid();
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    @Override
    public String healthBaseUrl() {
        return managementUrl();
    }

    private String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** The server's own log (standalone/log/server.log under its base directory). */
    @Override
    public Path serverLog() {
        return log.resolveSibling("standalone").resolve("log").resolve("server.log");
    }

    @Override
    public void close() throws InterruptedException {
        // standalone.sh runs WildFly as its child: stop the JVM first, then the script.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }
}
