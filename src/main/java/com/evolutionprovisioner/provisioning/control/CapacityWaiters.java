package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.entity.PoolCapacityGrew;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.annotation.Gauge;

/**
 * The users waiting for an Evolution server with room (queue rows pending with {@code no_capacity}): counted for the
 * gauge and the health warning, and woken as soon as the pool gains capacity, rather than at their next poll.
 */
@ApplicationScoped
public class CapacityWaiters {

    private static final Logger LOG = Logger.getLogger(CapacityWaiters.class.getName());

    @Inject
    ProvisioningQueue queue;

    @Inject
    ProvisioningDispatcher dispatcher;

    /** Annotated gauges are registered when the bean is created: create it at start-up, not at first use. */
    void registerAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing the event is enough to create the bean
    }

    /**
     * Capacity was added (a server added, a capacity raised, a server active again): every waiting row is made due
     * now and nudged. After the pool's commit, so that the claims find the new room; only the node where it changed
     * hears of it, and that is enough: the rows are shared, and any node's workers take the nudges.
     */
    void onCapacityGrew(@Observes(during = TransactionPhase.AFTER_SUCCESS) PoolCapacityGrew grew) {
        try {
            List<Long> waiting = queue.wakeWaitingForCapacity();
            waiting.forEach(id -> dispatcher.dispatch(id, null, "capacity", Duration.ZERO));
            if (!waiting.isEmpty()) {
                LOG.info(() -> "Evolution server " + grew.server() + " has room again: " + waiting.size()
                        + " user(s) waiting for capacity queued now");
            }
        } catch (RuntimeException failure) {
            LOG.log(Level.WARNING, "Could not wake the users waiting for capacity after " + grew
                    + "; the poller places them within QUEUE_POLL_INTERVAL", failure);
        }
    }

    /** {@code provisioning_waiting_for_capacity}: users pending because every active server is full. */
    @Gauge(name = "provisioning_waiting_for_capacity", unit = "none", absolute = true,
            description = "Users waiting for an Evolution server with room (queue rows pending with no_capacity)")
    public long count() {
        return queue.countWaitingForCapacity();
    }
}
