package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.control.WebhookVerifier;
import com.evolutionprovisioner.provisioning.entity.WebhookVerificationReport;
import com.evolutionprovisioner.security.UserId;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keeps every completed instance's webhook in force at Evolution, which loses them on restarts. Each tick (a minute,
 * or WEBHOOK_VERIFY_INTERVAL when shorter) reads back ceil(n × tick / interval) of the n completed instances, the
 * least recently verified first, so that each is checked once per interval at an even, bounded rate; the rows are
 * claimed, so several nodes share the work instead of repeating it. "Verify all now" is for operators.
 */
@Singleton
@Startup
@DependsOn("DatabaseMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class WebhookDriftRepair {

    private static final Logger LOG = Logger.getLogger(WebhookDriftRepair.class.getName());
    private static final Duration MAX_TICK = Duration.ofMinutes(1);

    @Resource
    TimerService timerService;

    @Inject
    InstanceRegistry instances;

    @Inject
    WebhookVerifier verifier;

    @Inject
    @ConfigProperty(name = "webhook.verify.interval")
    Duration interval;

    private Duration tick;
    private final AtomicBoolean running = new AtomicBoolean();

    @PostConstruct
    void schedule() {
        tick = interval.compareTo(MAX_TICK) < 0 ? interval : MAX_TICK;
        timerService.createIntervalTimer(tick.toMillis(), tick.toMillis(), new TimerConfig("webhook-drift-repair", false));
        LOG.info(() -> "Webhook drift repair: every completed instance's webhook read back once per " + interval
                + ", a share every " + tick);
    }

    @Timeout
    void onTimer() {
        // A slow round (Evolution timing out) must not pile up overlapping rounds.
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            List<UserId> due = instances.claimDueForWebhookCheck(dueEachTick(instances.countCompleted()), interval);
            if (!due.isEmpty()) {
                WebhookVerificationReport report = verifier.verify(due);
                LOG.log(report.getRepaired() + report.getFailed() > 0 ? Level.INFO : Level.FINE,
                        () -> "Webhook drift check of " + due.size() + " instance(s): " + report);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Webhook drift check failed; next round in " + tick, e);
        } finally {
            running.set(false);
        }
    }

    private int dueEachTick(long completedInstances) {
        return dueEachTick(completedInstances, tick, interval);
    }

    /** ceil(n × tick / interval): every instance once per interval. */
    static int dueEachTick(long completedInstances, Duration tick, Duration interval) {
        return (int) Math.min(Integer.MAX_VALUE,
                (completedInstances * tick.toMillis() + interval.toMillis() - 1) / interval.toMillis());
    }

    /** Reads back (and repairs) every completed instance's webhook now. */
    public WebhookVerificationReport verifyAll() {
        WebhookVerificationReport report = verifier.verify(instances.completedUsers());
        LOG.info(() -> "Operator verified every completed instance's webhook: " + report);
        return report;
    }
}
