package com.evolutionprovisioner.webhooks.boundary;

import com.evolutionprovisioner.platform.ApplicationMBeans;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import javax.management.ObjectName;

/** Registers the webhook events MXBean for as long as the application is deployed. */
@Singleton
@Startup
public class WebhookEventsJmx {

    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=WebhookEvents";

    @Inject
    WebhookOperations operations;

    @Inject
    WebhookRetention retention;

    private ObjectName name;

    @PostConstruct
    void register() {
        name = ApplicationMBeans.register(OBJECT_NAME, WebhookEventsMXBean.class, new EventsMXBean(operations, retention));
    }

    @PreDestroy
    void unregister() {
        ApplicationMBeans.unregister(name);
    }

    /** A plain object for JMX, so that JMX never holds an EJB proxy. */
    record EventsMXBean(WebhookOperations operations, WebhookRetention retention) implements WebhookEventsMXBean {

        @Override
        public long getDeadLetterCount() {
            return operations.count();
        }

        @Override
        public int replayDeadLetters() {
            return operations.replayAll();
        }

        @Override
        public int purgeExpired() {
            return operations.purgeAppliedOlderThan(retention.retention());
        }
    }
}
