package com.evolutionprovisioner.platform.work;

import com.evolutionprovisioner.platform.ServerResources;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Queue;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.time.Duration;
import java.util.Optional;

/**
 * Sends {@link WorkNudge}s. Outside any transaction, so a send happens after the caller's own transaction has
 * committed; never throws, because every nudge has rows behind it that the safety-net round finds when the broker
 * is away.
 */
@ApplicationScoped
@Transactional(TxType.NOT_SUPPORTED)
public class NudgeSender {

    @Resource(lookup = ServerResources.JMS_CONNECTION_FACTORY)
    ConnectionFactory connectionFactory;

    /**
     * Empty when the nudge was handed to the broker (without waiting for its journal: BlockOnDurableSend=false in
     * ServerResources), otherwise why it could not be.
     */
    public Optional<String> send(Queue queue, WorkNudge nudge, Duration delay) {
        try (JMSContext context = connectionFactory.createContext()) {
            context.createProducer()
                    .setDeliveryDelay(delay.toMillis())
                    .setProperty(WorkNudge.VIA_PROPERTY, nudge.via())
                    .send(queue, nudge.body());
            return Optional.empty();
        } catch (JMSRuntimeException | IllegalStateException brokerUnavailable) {
            return Optional.of(String.valueOf(brokerUnavailable.getMessage()));
        }
    }
}
