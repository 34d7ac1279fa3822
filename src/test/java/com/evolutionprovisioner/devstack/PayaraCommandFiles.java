package com.evolutionprovisioner.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The asadmin command files of every Payara Micro we start for development and tests
 * (server-config/ holds the production ones).
 */
public final class PayaraCommandFiles {

    private PayaraCommandFiles() {
    }

    /** Pre-boot: listen on the loopback interface only. */
    public static Path writePreBoot(Path directory) throws IOException {
        return Files.writeString(directory.resolve("pre-boot.asadmin"),
                "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1\n");
    }

    /** Post-boot: deploys the Artemis resource adapter before the WAR, whose JMS resources need it. */
    public static Path writePostBoot(Path directory, Path rar) throws IOException {
        return Files.writeString(directory.resolve("post-boot.asadmin"),
                "deploy --type rar --name artemis-rar " + rar.toAbsolutePath() + "\n");
    }
}
