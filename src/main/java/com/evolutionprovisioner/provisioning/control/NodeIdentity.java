package com.evolutionprovisioner.provisioning.control;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Names this node in the queue's claimed_by column and in logs, so an operator can tell which node held a row. */
@ApplicationScoped
public class NodeIdentity {

    @Inject
    @ConfigProperty(name = "provisioner.node.id")
    Optional<String> configured;

    private String id;

    @PostConstruct
    void init() {
        id = configured.filter(value -> !value.isBlank()).orElseGet(NodeIdentity::hostAndPid);
    }

    public String id() {
        return id;
    }

    private static String hostAndPid() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + ":" + ProcessHandle.current().pid();
    }
}
