package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.devstack.ApplicationServer;
import com.evolutionprovisioner.devstack.PayaraServer;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Api.Reply;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

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

    @Test
    void theApplicationsMetricsAreExported() {
        Reply metrics = new Api(server.baseUrl()).get("/metrics", null);

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("provisioning_queue_depth{", "provisioning_queue_oldest_pending_age_seconds");
    }
}
