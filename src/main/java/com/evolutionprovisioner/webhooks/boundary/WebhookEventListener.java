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
import java.util.List;
import java.util.logging.Logger;

/**
 * Applies stored webhook events (QR code, connection state, message log) off the request path; a message names one
 * event, or the several the receiver committed together, applied in one transaction.
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
        AppliedVia via;
        List<Long> eventIds;
        try {
            via = AppliedVia.fromMessage(message.getStringProperty(WebhookEventDispatcher.VIA_PROPERTY));
            eventIds = WebhookEventDispatcher.eventIds(((TextMessage) message).getText());
        } catch (JMSException | RuntimeException unreadable) {
            LOG.warning(() -> "Webhook event message " + message + " unreadable: " + unreadable);
            return;
        }
        dispatcher.applyAllNow(eventIds, via);
    }
}
