package com.evolutionprovisioner.platform;

import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.ejb.Singleton;
import jakarta.resource.AdministeredObjectDefinition;
import jakarta.resource.ConnectionFactoryDefinition;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;

/**
 * Declares the database pool and the JMS resources so that a bare Payara Micro needs no set-up commands.
 * The {@code ${db.url}}-style values are system properties, the one expression syntax Payara and WildFly share (the
 * launchers and server-config/ set them from DB_URL, ARTEMIS_USER, ...). The class is an EJB only so that WildFly
 * reads these annotations: it takes resource definitions from component classes alone, as the platform spec words it.
 *
 * <p>WildFly reads its own versions of the data source and the JMS factory from WEB-INF/jboss-web.xml (see there;
 * WildFlyDescriptorTest keeps the two in step).
 * The JMS factory must declare XA transaction support: without it, a send inside a JTA transaction was
 * silently dropped by the Artemis adapter (measured on Payara Micro 6). Fail-fast settings make a send to a dead
 * broker fail in milliseconds instead of blocking the caller for two minutes.
 */
@DataSourceDefinition(
        name = ServerResources.DATASOURCE,
        className = "org.postgresql.ds.PGSimpleDataSource",
        url = "${db.url}",
        user = "${db.user}",
        password = "${db.password}",
        minPoolSize = 2,
        maxPoolSize = 40,
        properties = {
                // A restarted database leaves dead connections in the pool: validate before handing one out.
                "fish.payara.is-connection-validation-required=true",
                "fish.payara.connection-validation-method=custom-validation",
                "fish.payara.validation-classname=org.glassfish.api.jdbc.validation.PostgresConnectionValidation",
                "fish.payara.fail-all-connections=true",
                "fish.payara.max-wait-time-in-millis=5000",
                "connectTimeout=5",
                "socketTimeout=30"
        })
@ConnectionFactoryDefinition(
        name = ServerResources.JMS_CONNECTION_FACTORY,
        interfaceName = "jakarta.jms.ConnectionFactory",
        resourceAdapter = ServerResources.RESOURCE_ADAPTER,
        transactionSupport = TransactionSupportLevel.XATransaction,
        maxPoolSize = 32,
        properties = {
                // Payara signs on with these; WildFly rejects them (the factory has no such setters): see jboss-web.xml.
                "UserName=${artemis.user}",
                "Password=${artemis.password}",
                // Artemis only reads a factory's own ConnectionParameters when it also names its connector class.
                "ConnectorClassName=" + ServerResources.NETTY_CONNECTOR,
                "ConnectionParameters=${artemis.connection.parameters}",
                "ReconnectAttempts=1",
                "CallTimeout=3000",
                "RetryInterval=500",
                // A nudge outside a transaction need not wait for the broker's journal: the row behind it is the
                // truth and the poller finds it if the message is lost. Waiting held a pooled connection per signup
                // and starved the 32-connection pool under a burst (bench/README.md). Transacted sends are unaffected.
                "BlockOnDurableSend=false"
        })
@AdministeredObjectDefinition(
        name = ServerResources.WEBHOOK_EVENTS_QUEUE,
        interfaceName = "jakarta.jms.Queue",
        className = "org.apache.activemq.artemis.jms.client.ActiveMQQueue",
        resourceAdapter = ServerResources.RESOURCE_ADAPTER,
        properties = "Address=" + ServerResources.WEBHOOK_EVENTS_QUEUE_ADDRESS)
@AdministeredObjectDefinition(
        name = ServerResources.PROVISIONING_QUEUE,
        interfaceName = "jakarta.jms.Queue",
        className = "org.apache.activemq.artemis.jms.client.ActiveMQQueue",
        resourceAdapter = ServerResources.RESOURCE_ADAPTER,
        properties = "Address=" + ServerResources.PROVISIONING_QUEUE_ADDRESS)
@Singleton
public class ServerResources {

    public static final String DATASOURCE = "java:app/jdbc/provisioner";
    public static final String JMS_CONNECTION_FACTORY = "java:app/jms/ProvisionerConnectionFactory";
    public static final String PROVISIONING_QUEUE = "java:app/jms/ProvisioningQueue";
    public static final String PROVISIONING_QUEUE_ADDRESS = "evolution.provisioning";
    public static final String WEBHOOK_EVENTS_QUEUE = "java:app/jms/WebhookEventsQueue";
    public static final String WEBHOOK_EVENTS_QUEUE_ADDRESS = "evolution.webhook-events";
    /** The file name (without .rar) under which the Artemis resource adapter is deployed. */
    public static final String RESOURCE_ADAPTER = "artemis-rar";
    public static final String NETTY_CONNECTOR = "org.apache.activemq.artemis.core.remoting.impl.netty.NettyConnectorFactory";
}
