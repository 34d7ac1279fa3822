package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.security.UserId;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Queue;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Nudges the message-driven beans to work a queue row now. The message only carries the row id: the row is the
 * truth, so a lost or duplicated message costs at most a delay or a no-op claim. Sends happen outside any
 * transaction, after the caller's own transaction has committed, and never throw: with the broker down the
 * poller provisions the row instead.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ProvisioningDispatcher {

    private static final Logger LOG = Logger.getLogger(ProvisioningDispatcher.class.getName());

    public static final String ORIGIN_PROPERTY = "origin";
    public static final String USER_PROPERTY = "userId";

    @Resource(lookup = ServerResources.JMS_CONNECTION_FACTORY)
    ConnectionFactory connectionFactory;

    @Resource(lookup = ServerResources.PROVISIONING_QUEUE)
    Queue provisioningQueue;

    public boolean dispatchSignup(long entryId, UserId userId) {
        return dispatch(entryId, userId, "signup", Duration.ZERO);
    }

    /** Returns whether the broker accepted the message. */
    public boolean dispatch(long entryId, UserId userId, String origin, Duration delay) {
        try (JMSContext context = connectionFactory.createContext()) {
            JMSProducer producer = context.createProducer()
                    .setDeliveryDelay(delay.toMillis())
                    .setProperty(ORIGIN_PROPERTY, origin);
            if (userId != null) {
                producer.setProperty(USER_PROPERTY, userId.toString());
            }
            producer.send(provisioningQueue, Long.toString(entryId));
            return true;
        } catch (JMSRuntimeException | IllegalStateException brokerUnavailable) {
            LOG.warning(() -> "Could not send provisioning message for queue entry " + entryId + " (user " + userId
                    + ", " + origin + "): " + brokerUnavailable.getMessage() + " — the poller will pick the row up");
            return false;
        }
    }
}
