package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.devstack.ApplicationServer;
import com.evolutionprovisioner.devstack.WildFlyServer;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The same WAR and RAR on WildFly 38, set up only with server-config/wildfly. */
class WildFlyDeploymentIT extends SameWarElsewhereContract {

    @Override
    protected ApplicationServer start(Map<String, String> settings, int httpPort) throws Exception {
        return WildFlyServer.start(Path.of(System.getProperty("wildfly.home")),
                Path.of(System.getProperty("wildfly.eclipselink")), env.buildDirectory(), Path.of("").toAbsolutePath(),
                nodeId(), httpPort, settings);
    }

    @Override
    protected String nodeId() {
        return "wildfly";
    }

    @Test
    void signupsAreAcceptedAgainAfterTheDatabaseRestarts() throws Exception {
        Users users = new Users(new Api(server.baseUrl()), env);
        users.awaitStatus(users.signUpNew(), "completed");

        env.postgres().stop();
        env.postgres().start();
        long databaseBack = System.nanoTime();

        // The pool holds connections to the old server process: they must be dropped, not handed out for ever.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(users.signUp(UUID.randomUUID()).status()).isEqualTo(201));
        System.out.printf("RECOVERY (WildFly) database restart -> signups accepted again: %.1f s%n",
                (System.nanoTime() - databaseBack) / 1e9);
        users.awaitStatus(users.signUpNew(), "completed");
    }

    @Test
    void eclipseLinkIsTheJpaProvider() throws Exception {
        // WildFly's default provider, Hibernate, would announce itself with HHH000412.
        assertThat(Files.readString(server.serverLog())).contains("EclipseLink, version").doesNotContain("HHH000412");
    }
}
