package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApplicationMetrics;
import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.control.QuietInstances;
import com.evolutionprovisioner.provisioning.control.RollingCheck;
import com.evolutionprovisioner.provisioning.control.StateReconciler;
import com.evolutionprovisioner.provisioning.entity.StateCheckReport;
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
 * Keeps our record of every completed instance's connection state true to Evolution's, once per
 * INSTANCE_STATE_CHECK_INTERVAL, spread evenly ({@link RollingCheck}); the rows are claimed, so several nodes share
 * the work. Each tick also applies the quiet rule ({@link QuietInstances}) and the gauge {@code instances_quiet}
 * counts the flagged. "Check all now" is for operators.
 */
@Singleton
@Startup
@DependsOn("DatabaseMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class InstanceStateCheck {

    private static final Logger LOG = Logger.getLogger(InstanceStateCheck.class.getName());

    @Resource
    TimerService timerService;

    @Inject
    InstanceRegistry instances;

    @Inject
    StateReconciler reconciler;

    @Inject
    QuietInstances quiet;

    @Inject
    ApplicationMetrics metrics;

    @Inject
    @ConfigProperty(name = "instance.state.check.interval")
    Duration interval;

    private RollingCheck check;

    @PostConstruct
    void schedule() {
        check = new RollingCheck("Instance state check", interval);
        long tick = check.tick().toMillis();
        timerService.createIntervalTimer(tick, tick, new TimerConfig("instance-state-check", false));
        InstanceRegistry registry = instances;
        metrics.gauge("instances_quiet", registry::countQuiet);
        LOG.info(() -> "Instance state check: every completed instance's connection state compared with Evolution's "
                + "once per " + interval + ", a share every " + check.tick() + "; quiet after " + quiet.quietAfter());
    }

    @Timeout
    void onTimer() {
        check.onTick(instances::countCompleted, share -> {
            List<UserId> due = instances.claimDueForStateCheck(share, interval);
            if (!due.isEmpty()) {
                StateCheckReport report = reconciler.check(due);
                LOG.log(report.getCorrected() + report.getMissing() + report.getFailed() > 0 ? Level.INFO : Level.FINE,
                        () -> "State check of " + due.size() + " instance(s): " + report);
            }
            quiet.flag();
        });
    }

    /** Compares every completed instance's state with Evolution's now. */
    public StateCheckReport checkAll() {
        StateCheckReport report = check.everyInstanceNow(
                () -> reconciler.check(instances.claimDueForStateCheck(Integer.MAX_VALUE, Duration.ZERO)));
        LOG.info(() -> "Operator checked every completed instance's connection state: " + report);
        return report;
    }
}
