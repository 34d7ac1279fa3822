package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApplicationMBeans;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import javax.management.ObjectName;

/** Registers the webhook drift MXBean for as long as the application is deployed. */
@Singleton
@Startup
public class WebhookDriftJmx {

    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=WebhookDrift";

    @Inject
    WebhookDriftRepair repair;

    private ObjectName name;

    @PostConstruct
    void register() {
        WebhookDriftRepair drift = repair;
        name = ApplicationMBeans.register(OBJECT_NAME, WebhookDriftMXBean.class, drift::verifyAll);
    }

    @PreDestroy
    void unregister() {
        ApplicationMBeans.unregister(name);
    }
}
