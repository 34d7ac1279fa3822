package com.evolutionprovisioner.webhooks.boundary;

import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.platform.work.NudgeReceiver;
import com.evolutionprovisioner.webhooks.control.WebhookEventDispatcher;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * Applies stored webhook events (QR code, connection state, message log) off the request path; a message names one
 * event, or the several the receiver committed together, applied in one transaction ({@link NudgeReceiver} hands them
 * to the {@link WebhookEventDispatcher}). Session count = WEBHOOK_APPLY_WORKERS.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "destination", propertyValue = ServerResources.WEBHOOK_EVENTS_QUEUE_ADDRESS),
        @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = ServerResources.RESOURCE_ADAPTER),
        @ActivationConfigProperty(propertyName = "useJNDI", propertyValue = "false"),
        @ActivationConfigProperty(propertyName = "user", propertyValue = "${artemis.user}"),
        @ActivationConfigProperty(propertyName = "password", propertyValue = "${artemis.password}"),
        @ActivationConfigProperty(propertyName = "connectorClassName", propertyValue = ServerResources.NETTY_CONNECTOR),
        @ActivationConfigProperty(propertyName = "connectionParameters", propertyValue = "${artemis.connection.parameters}"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "${webhook.apply.workers}"),
        @ActivationConfigProperty(propertyName = "reconnectAttempts", propertyValue = "-1"),
        @ActivationConfigProperty(propertyName = "setupAttempts", propertyValue = "-1"),
        @ActivationConfigProperty(propertyName = "setupInterval", propertyValue = "2000")
})
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class WebhookEventListener implements MessageListener {

    @Inject
    WebhookEventDispatcher events;

    @Override
    public void onMessage(Message message) {
        NudgeReceiver.receive(message, events);
    }
}
