package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.control.RollingCheck;
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
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keeps every completed instance's webhook in force at Evolution, which loses them on restarts: each is read back
 * once per WEBHOOK_VERIFY_INTERVAL, spread evenly ({@link RollingCheck}); the rows are claimed, so several nodes share
 * the work instead of repeating it. "Verify all now" is for operators.
 */
@Singleton
@Startup
@DependsOn("DatabaseMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class WebhookDriftRepair {

    private static final Logger LOG = Logger.getLogger(WebhookDriftRepair.class.getName());

    @Resource
    TimerService timerService;

    @Inject
    InstanceRegistry instances;

    @Inject
    WebhookVerifier verifier;

    @Inject
    @ConfigProperty(name = "webhook.verify.interval")
    Duration interval;

    private RollingCheck check;

    @PostConstruct
    void schedule() {
        check = new RollingCheck("Webhook drift check", interval);
        long tick = check.tick().toMillis();
        timerService.createIntervalTimer(tick, tick, new TimerConfig("webhook-drift-repair", false));
        LOG.info(() -> "Webhook drift repair: every completed instance's webhook read back once per " + interval
                + ", a share every " + check.tick());
    }

    @Timeout
    void onTimer() {
        check.onTick(instances::countCompleted, share -> {
            List<UserId> due = instances.claimDueForWebhookCheck(share, interval);
            if (!due.isEmpty()) {
                WebhookVerificationReport report = verifier.verify(due);
                LOG.log(report.getRepaired() + report.getFailed() > 0 ? Level.INFO : Level.FINE,
                        () -> "Webhook drift check of " + due.size() + " instance(s): " + report);
            }
        });
    }

    /** Reads back (and repairs) every completed instance's webhook now. */
    public WebhookVerificationReport verifyAll() {
        WebhookVerificationReport report = check.everyInstanceNow(() -> verifier.verify(instances.completedUsers()));
        LOG.info(() -> "Operator verified every completed instance's webhook: " + report);
        return report;
    }
}
