package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.work.SafetyNetRound;
import com.evolutionprovisioner.platform.work.SafetyNetTimer;
import com.evolutionprovisioner.provisioning.control.ProvisioningDispatcher;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue;
import com.evolutionprovisioner.provisioning.control.Provisioner;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The safety net, on every node every QUEUE_POLL_INTERVAL: records this node's heartbeat, takes over rows held by
 * nodes without one (QUEUE_NODE_LEASE), returns rows stuck in processing to the queue, and
 * then runs the pipeline's {@link SafetyNetRound}: pending rows the fast path missed (broker down at signup, a lost
 * message, a profile inserted by another system) are nudged again, or worked here when the broker refuses.
 */
@Singleton
@Startup
@DependsOn("DatabaseMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class QueuePoller {

    private static final Logger LOG = Logger.getLogger(QueuePoller.class.getName());

    @Resource
    TimerService timerService;

    @Inject
    ProvisioningQueue queue;

    @Inject
    ProvisioningDispatcher provisioning;

    @Inject
    Provisioner provisioner;

    @Inject
    @ConfigProperty(name = "queue.poll.interval")
    Duration pollInterval;

    @Inject
    @ConfigProperty(name = "queue.stuck.after")
    Duration stuckAfter;

    @Inject
    @ConfigProperty(name = "queue.poll.batch.size")
    int batchSize;

    @Inject
    @ConfigProperty(name = "queue.node.lease")
    Duration nodeLease;

    private SafetyNetRound round;

    @PostConstruct
    void schedule() {
        round = new SafetyNetRound(provisioning, pollInterval, batchSize);
        SafetyNetTimer.start(timerService, "provisioning-queue-poller", pollInterval);
        LOG.info(() -> "Provisioning queue poller every " + pollInterval + "; rows stuck over " + stuckAfter + " are reset");
    }

    @Timeout
    void onTimer(Timer timer) {
        try {
            // Beats even while a slow round is still running, so a busy node is never mistaken for a dead one.
            queue.heartbeat();
        } catch (RuntimeException e) {
            LOG.warning(() -> "Could not record this node's heartbeat: " + e.getMessage());
        }
        round.run(this::returnAbandonedRows);
    }

    /** Provisioning's own step of the round: rows a worker holds but no longer works go back to pending. */
    private void returnAbandonedRows() {
        List<Long> orphaned = queue.takeOverFromDeadNodes(nodeLease);
        if (!orphaned.isEmpty()) {
            LOG.warning(() -> "Took over " + orphaned.size() + " row(s) from node(s) silent for over " + nodeLease + ": " + orphaned);
        }
        List<Long> released = queue.releaseOwnOrphans(provisioner.workingOn());
        if (!released.isEmpty()) {
            LOG.warning(() -> "Released " + released.size() + " row(s) whose attempt ended without recording its outcome: " + released);
        }
        List<Long> reset = queue.resetStuck(stuckAfter);
        if (!reset.isEmpty()) {
            LOG.warning(() -> "Reset " + reset.size() + " queue row(s) stuck in processing over " + stuckAfter + ": " + reset);
        }
    }
}
