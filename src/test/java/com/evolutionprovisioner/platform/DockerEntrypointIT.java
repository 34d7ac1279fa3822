package com.evolutionprovisioner.platform;

import com.evolutionprovisioner.devstack.ApplicationServer;
import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import java.nio.file.Path;
import java.util.Map;

/** The container's start script with the image's file layout, on Payara Micro, configured by environment only. */
class DockerEntrypointIT extends SameWarElsewhereContract {

    @Override
    protected ApplicationServer start(Map<String, String> settings, int httpPort) throws Exception {
        return PayaraMicroProcess.startThroughDockerEntrypoint(env.buildDirectory(), Path.of("").toAbsolutePath(), httpPort,
                "tcp://127.0.0.1:" + backends.broker().port(), settings);
    }

    @Override
    protected String nodeId() {
        return "docker-entrypoint";
    }
}
