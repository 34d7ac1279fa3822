package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.platform.work.NudgeReceiver;
import com.evolutionprovisioner.provisioning.control.ProvisioningDispatcher;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * The fast path: each message names a queue row to work now; {@link NudgeReceiver} hands it to provisioning. Not
 * transactional: the work takes seconds of HTTP calls, and the row, not the message, carries the state (a redelivered
 * message finds the row already claimed and does nothing).
 * Session count = PROVISIONING_WORKERS: more than EVOLUTION_MAX_CONCURRENCY (twice, by default), so that some workers
 * do their database work while others use every Evolution call the bulkheads allow; a worker finding its server's
 * calls all under way waits for one (EVOLUTION_BULKHEAD_WAIT).
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "destination", propertyValue = ServerResources.PROVISIONING_QUEUE_ADDRESS),
        @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = ServerResources.RESOURCE_ADAPTER),
        @ActivationConfigProperty(propertyName = "useJNDI", propertyValue = "false"),
        @ActivationConfigProperty(propertyName = "user", propertyValue = "${artemis.user}"),
        @ActivationConfigProperty(propertyName = "password", propertyValue = "${artemis.password}"),
        @ActivationConfigProperty(propertyName = "connectorClassName", propertyValue = ServerResources.NETTY_CONNECTOR),
        @ActivationConfigProperty(propertyName = "connectionParameters", propertyValue = "${artemis.connection.parameters}"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "${provisioning.workers}"),
        @ActivationConfigProperty(propertyName = "reconnectAttempts", propertyValue = "-1"),
        @ActivationConfigProperty(propertyName = "setupAttempts", propertyValue = "-1"),
        @ActivationConfigProperty(propertyName = "setupInterval", propertyValue = "2000")
})
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ProvisioningListener implements MessageListener {

    @Inject
    ProvisioningDispatcher provisioning;

    @Override
    public void onMessage(Message message) {
        NudgeReceiver.receive(message, provisioning);
    }
}
