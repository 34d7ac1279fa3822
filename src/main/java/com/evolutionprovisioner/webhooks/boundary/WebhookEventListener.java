package com.evolutionprovisioner.webhooks.boundary;

import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.webhooks.control.AppliedVia;
import com.evolutionprovisioner.webhooks.control.WebhookEventDispatcher;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.util.logging.Logger;

/** Applies stored webhook events (QR code, connection state, message log) off the request path. */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "destination", propertyValue = ServerResources.WEBHOOK_EVENTS_QUEUE_ADDRESS),
        @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = ServerResources.RESOURCE_ADAPTER),
        @ActivationConfigProperty(propertyName = "useJNDI", propertyValue = "false"),
        @ActivationConfigProperty(propertyName = "user", propertyValue = "${artemis.user}"),
        @ActivationConfigProperty(propertyName = "password", propertyValue = "${artemis.password}"),
        @ActivationConfigProperty(propertyName = "connectorClassName", propertyValue = ServerResources.NETTY_CONNECTOR),
        @ActivationConfigProperty(propertyName = "connectionParameters", propertyValue = "${artemis.connection.parameters}"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "4"),
        @ActivationConfigProperty(propertyName = "reconnectAttempts", propertyValue = "-1"),
        @ActivationConfigProperty(propertyName = "setupAttempts", propertyValue = "-1"),
        @ActivationConfigProperty(propertyName = "setupInterval", propertyValue = "2000")
})
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class WebhookEventListener implements MessageListener {

    private static final Logger LOG = Logger.getLogger(WebhookEventListener.class.getName());

    @Inject
    WebhookEventDispatcher dispatcher;

    @Override
    public void onMessage(Message message) {
        try {
            dispatcher.applyNow(Long.parseLong(((TextMessage) message).getText().trim()),
                    AppliedVia.fromMessage(message.getStringProperty(WebhookEventDispatcher.VIA_PROPERTY)));
        } catch (JMSException | RuntimeException e) {
            // The event row keeps its state; the poller of unapplied events comes back to it.
            LOG.warning(() -> "Webhook event message " + message + " not applied: " + e);
        }
    }
}
