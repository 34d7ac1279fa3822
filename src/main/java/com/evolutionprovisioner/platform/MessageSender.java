package com.evolutionprovisioner.platform;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Queue;
import jakarta.transaction.Transactional.TxType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.Map;

/**
 * Sends the small "work on row N" messages our queues carry. Outside any transaction, so a send happens after the
 * caller's own transaction has committed; never throws, because every message has a database row behind it that a
 * poller finds when the broker is away.
 */
@ApplicationScoped
@Transactional(TxType.NOT_SUPPORTED)
public class MessageSender {

    @Resource(lookup = ServerResources.JMS_CONNECTION_FACTORY)
    ConnectionFactory connectionFactory;

    /**
     * Returns null when the message was handed to the broker (without waiting for its journal: BlockOnDurableSend=false
     * in ServerResources), otherwise why it could not be.
     */
    public String send(Queue queue, String body, Map<String, String> properties, Duration delay) {
        try (JMSContext context = connectionFactory.createContext()) {
            JMSProducer producer = context.createProducer().setDeliveryDelay(delay.toMillis());
            properties.forEach(producer::setProperty);
            producer.send(queue, body);
            return null;
        } catch (JMSRuntimeException | IllegalStateException brokerUnavailable) {
            return String.valueOf(brokerUnavailable.getMessage());
        }
    }
}
