package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.devstack.ApplicationServer;
import com.evolutionprovisioner.devstack.WildFlyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
    void eclipseLinkIsTheJpaProvider() throws Exception {
        // WildFly's default provider, Hibernate, would announce itself with HHH000412.
        assertThat(Files.readString(server.serverLog())).contains("EclipseLink, version").doesNotContain("HHH000412");
    }
}
