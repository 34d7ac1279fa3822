package com.evolutionprovisioner.platform;

import com.evolutionprovisioner.devstack.ApplicationServer;
import com.evolutionprovisioner.devstack.PayaraServer;
import java.nio.file.Path;
import java.util.Map;

/** The same WAR and RAR on a full Payara Server domain, set up as server-config/payara-server tells an operator. */
class PayaraServerDeploymentIT extends SameWarElsewhereContract {

    @Override
    protected ApplicationServer start(Map<String, String> settings, int httpPort) throws Exception {
        return PayaraServer.start(Path.of(System.getProperty("payara.server.home")), env.buildDirectory(),
                Path.of("").toAbsolutePath(), nodeId(), httpPort, settings);
    }

    @Override
    protected String nodeId() {
        return "payara-server";
    }
}
