package com.evolutionprovisioner.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A full Payara Server domain running the RAR and WAR, set up the way server-config/payara-server/README.md tells an
 * operator: the deploy-time values created as domain system properties with asadmin, setup.asadmin, a restart.
 * The other settings reach the server JVM as environment variables, as from a systemd EnvironmentFile.
 *
 * <p>The distribution's domain1 is copied and moved to free ports on 127.0.0.1, with the Hazelcast data grid off
 * and what setup.asadmin turns off already off: the test must not listen on other interfaces or collide with other
 * servers.
 */
public final class PayaraServer implements ApplicationServer {

    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(4);
    /** The values the WAR's resource annotations and MDBs read while it is deployed. */
    private static final Set<String> DEPLOY_TIME_PROPERTIES = Set.of("db.url", "db.user", "db.password",
            "artemis.connection.parameters", "artemis.user", "artemis.password", "evolution.max.concurrency",
            "provisioning.workers", "webhook.apply.workers");

    private final Path home;
    private final Path domains;
    private final int adminPort;
    private final int httpPort;
    private final Map<String, String> environment;

    private PayaraServer(Path home, Path domains, int adminPort, int httpPort, Map<String, String> environment) {
        this.home = home;
        this.domains = domains;
        this.adminPort = adminPort;
        this.httpPort = httpPort;
        this.environment = environment;
    }

    /** @return the server once the WAR is deployed and ready */
    public static PayaraServer start(Path payaraHome, Path buildDirectory, Path projectDirectory, String nodeName,
                                     int httpPort, Map<String, String> settings) throws IOException, InterruptedException {
        Path work = buildDirectory.resolve("payara-server-" + nodeName);
        LocalMachine.deleteTree(work, false);
        Path domains = work.resolve("domains");
        LocalMachine.copyTree(payaraHome.resolve("glassfish").resolve("domains").resolve("domain1"), domains.resolve("domain1"));
        int adminPort = LocalMachine.freePort();
        Path domainXml = domains.resolve("domain1").resolve("config").resolve("domain.xml");
        Files.writeString(domainXml, onLoopbackAndFreePorts(Files.readString(domainXml), httpPort, adminPort));

        Path staging = Files.createDirectories(work.resolve("deployments-to-add"));
        Files.copy(buildDirectory.resolve("artemis-rar.rar"), staging.resolve("artemis-rar.rar"));
        Files.copy(buildDirectory.resolve("evolution-provisioner.war"), staging.resolve("evolution-provisioner.war"));
        Path systemProperties = work.resolve("system-properties.asadmin");
        Files.write(systemProperties, settings.entrySet().stream()
                .filter(setting -> DEPLOY_TIME_PROPERTIES.contains(setting.getKey()))
                .map(setting -> "create-system-properties " + setting.getKey() + "=" + asadminValue(setting.getValue()))
                .toList());

        Map<String, String> environment = ApplicationServer.asEnvironment(settings);
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("AS_JAVA", System.getProperty("java.home"));
        // asadmin's own JVM (bin/asadmin reads AS_EXTRA_JAVA_OPTS): started for each command.
        environment.put("AS_EXTRA_JAVA_OPTS", String.join(" ", ApplicationServer.testJvmOptions()));
        PayaraServer server = new PayaraServer(payaraHome, domains, adminPort, httpPort, environment);
        try {
            server.asadmin(work, "start-domain", "--domaindir", domains.toString(), "domain1");
            server.asadmin(work, "multimode", "--file", systemProperties.toString());
            server.asadmin(staging, "multimode", "--file",
                    projectDirectory.resolve("server-config").resolve("payara-server").resolve("setup.asadmin").toString());
            server.asadmin(work, "restart-domain", "--domaindir", domains.toString(), "domain1");
            Readiness.awaitApplication(server.baseUrl(), STEP_TIMEOUT, server.domainProcess(), server.serverLog());
            return server;
        } catch (IOException | InterruptedException | RuntimeException failed) {
            server.close();
            throw failed;
        }
    }

    /**
     * A value as a create-system-properties line of a multimode file needs it: the command splits on ':' and '=' unless
     * escaped with a backslash, and multimode itself takes one level of backslashes away (both measured).
     */
    static String asadminValue(String value) {
        String forTheCommand = value.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=");
        return forTheCommand.replace("\\", "\\\\");
    }

    private static String onLoopbackAndFreePorts(String domainXml, int httpPort, int adminPort) throws IOException {
        String patched = domainXml
                .replace("address=\"0.0.0.0\"", "address=\"127.0.0.1\"")
                .replace("<network-listener port=", "<network-listener address=\"127.0.0.1\" port=")
                .replace("<hazelcast-config-specific-configuration>", "<hazelcast-config-specific-configuration enabled=\"false\">")
                // The admin JMX connector is not needed here (Payara Micro has it off too).
                .replace("<jmx-connector ", "<jmx-connector enabled=\"false\" ")
                // What setup.asadmin also sets, already before the first start: no listener on all interfaces.
                .replace("<config name=\"server-config\">", "<config name=\"server-config\">\n"
                        + "<jms-service type=\"DISABLED\" default-jms-host=\"default_JMS_host\">"
                        + "<jms-host name=\"default_JMS_host\" host=\"localhost\" port=\"${JMS_PROVIDER_PORT}\"/></jms-service>")
                .replace(";AUTO_SERVER=TRUE", "")
                .replace("port=\"8080\"", "port=\"" + httpPort + "\"")
                .replace("port=\"4848\"", "port=\"" + adminPort + "\"");
        // The other listeners: HTTPS, IIOP (three), JMX, the embedded JMS broker, the OSGi shell.
        for (String port : List.of("8181", "3700", "3820", "3920", "8686")) {
            patched = patched.replace("port=\"" + port + "\"", "port=\"" + LocalMachine.freePort() + "\"");
        }
        // The tests' JVM options (ApplicationServer.testJvmOptions) for the server JVM, in both configurations.
        String testOptions = ApplicationServer.testJvmOptions().stream()
                .map(option -> "\n<jvm-options>" + option + "</jvm-options>").collect(Collectors.joining());
        return patched
                .replace("<jvm-options>-server</jvm-options>", "<jvm-options>-server</jvm-options>" + testOptions)
                .replace("name=\"JMS_PROVIDER_PORT\" value=\"7676\"", "name=\"JMS_PROVIDER_PORT\" value=\"" + LocalMachine.freePort() + "\"")
                .replace("-Dosgi.shell.telnet.port=6666", "-Dosgi.shell.telnet.port=" + LocalMachine.freePort());
    }

    private void asadmin(Path directory, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin").resolve("asadmin").toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(adminPort)));
        command.addAll(List.of(arguments));
        String printed = LocalMachine.runToEnd("asadmin " + String.join(" ", arguments), command, directory, environment,
                STEP_TIMEOUT);
        // multimode exits 0 even when a command in the file failed: read what it printed.
        if (printed.contains("Command ") && printed.contains(" failed")) {
            throw new IllegalStateException("asadmin " + String.join(" ", arguments) + " failed:\n" + printed);
        }
    }

    /** The domain's server JVM (started by asadmin, not by us), found by its domain folder in the command line. */
    private ProcessHandle domainProcess() {
        return ProcessHandle.allProcesses()
                .filter(this::runsThisDomain)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No server JVM for " + domains + "; see " + serverLog()));
    }

    private boolean runsThisDomain(ProcessHandle process) {
        return process.info().commandLine().map(line -> line.contains(domains.toString())).orElse(false);
    }

    @Override
    public long pid() {
        return domainProcess().pid();
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The domain's admin console (and admin REST interface): plain HTTP on 127.0.0.1, secure admin being off. */
    public String adminConsoleUrl() {
        return "http://127.0.0.1:" + adminPort;
    }

    @Override
    public Path serverLog() {
        return domains.resolve("domain1").resolve("logs").resolve("server.log");
    }

    @Override
    public void close() throws InterruptedException {
        try {
            asadmin(domains, "stop-domain", "--domaindir", domains.toString(), "domain1");
        } catch (IOException | RuntimeException stopFailed) {
            ProcessHandle.allProcesses().filter(this::runsThisDomain).forEach(ProcessHandle::destroyForcibly);
        }
    }

}
