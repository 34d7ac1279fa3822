package com.evolutionprovisioner.devstack;

import java.nio.file.Path;
import java.util.Set;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager;

/**
 * A real ActiveMQ Artemis broker (the server from Maven Central) running in this JVM on 127.0.0.1, with login
 * required. Can be stopped and started again on the same port to test how the service copes with a broker outage.
 */
public final class EmbeddedBroker implements AutoCloseable {

    public static final String PROVISIONING_QUEUE = "evolution.provisioning";
    /** The audit log records every message consumed: noise here, and it fails silently on JDK 25. Held so JUL keeps the level. */
    private static final java.util.logging.Logger AUDIT_LOG = java.util.logging.Logger.getLogger("org.apache.activemq.audit");

    private final int port;
    private final String user;
    private final String password;
    private final Path dataDirectory;
    private EmbeddedActiveMQ broker;

    private EmbeddedBroker(int port, String user, String password, Path dataDirectory) {
        this.port = port;
        this.user = user;
        this.password = password;
        this.dataDirectory = dataDirectory;
    }

    public static EmbeddedBroker start(int port, String user, String password, Path dataDirectory) throws Exception {
        EmbeddedBroker embedded = new EmbeddedBroker(port == 0 ? LocalMachine.freePort() : port, user, password, dataDirectory);
        embedded.start();
        return embedded;
    }

    public synchronized void start() throws Exception {
        AUDIT_LOG.setLevel(java.util.logging.Level.WARNING);
        Configuration configuration = new ConfigurationImpl()
                .setName("evolution-provisioner-dev")
                .setPersistenceEnabled(true)
                .setJournalDirectory(dataDirectory.resolve("journal").toString())
                .setBindingsDirectory(dataDirectory.resolve("bindings").toString())
                .setLargeMessagesDirectory(dataDirectory.resolve("large-messages").toString())
                .setPagingDirectory(dataDirectory.resolve("paging").toString())
                .setSecurityEnabled(true)
                .setJMXManagementEnabled(false)
                .addAcceptorConfiguration("core", "tcp://127.0.0.1:" + port + "?protocols=CORE")
                .addAddressSetting("#", new AddressSettings()
                        .setAutoCreateQueues(true)
                        .setAutoCreateAddresses(true)
                        .setDeadLetterAddress(SimpleString.of("DLQ"))
                        .setExpiryAddress(SimpleString.of("ExpiryQueue"))
                        .setMaxDeliveryAttempts(10))
                .addQueueConfiguration(QueueConfiguration.of(PROVISIONING_QUEUE).setRoutingType(RoutingType.ANYCAST))
                .addQueueConfiguration(QueueConfiguration.of("DLQ").setRoutingType(RoutingType.ANYCAST))
                .addQueueConfiguration(QueueConfiguration.of("ExpiryQueue").setRoutingType(RoutingType.ANYCAST));
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(configuration);
        broker.setSecurityManager(new SingleUserSecurityManager(user, password));
        broker.start();
        if (!broker.getActiveMQServer().waitForActivation(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("Artemis did not become active");
        }
    }

    public synchronized void stop() throws Exception {
        if (broker != null) {
            broker.stop();
            broker = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public ActiveMQServer server() {
        return broker.getActiveMQServer();
    }

    /** Messages ever added to a queue: proof that a message really went through the broker. */
    public long messagesAdded(String queueName) {
        Queue queue = server().locateQueue(SimpleString.of(queueName));
        return queue == null ? 0 : queue.getMessagesAdded();
    }

    /** One user with every right: enough for a development broker that still refuses anonymous clients. */
    private record SingleUserSecurityManager(String user, String password) implements ActiveMQSecurityManager {
        @Override
        public boolean validateUser(String requestedUser, String requestedPassword) {
            return user.equals(requestedUser) && password.equals(requestedPassword);
        }

        @Override
        public boolean validateUserAndRole(String requestedUser, String requestedPassword, Set<Role> roles,
                                           CheckType checkType) {
            return validateUser(requestedUser, requestedPassword);
        }
    }
}
