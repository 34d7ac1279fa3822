package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.QuietReconnectReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Instances shown as connected that neither send nor receive (upstream reports: "open" but deaf until a restart). An
 * open instance that had message traffic in the last 24 h and then none for INSTANCE_QUIET_AFTER is flagged; the flag
 * clears when traffic resumes or the instance is no longer open. Instances that never had traffic are not flagged:
 * silence is normal for them. Operators see the flagged ones and reconnect them all in one action.
 */
@ApplicationScoped
public class QuietInstances {

    private static final Logger LOG = Logger.getLogger(QuietInstances.class.getName());

    /** Only an instance that was in use recently is expected to keep talking. */
    static final Duration ACTIVE_WITHIN = Duration.ofHours(24);

    @Inject
    InstanceRegistry instances;

    @Inject
    InstanceLifecycle lifecycle;

    @Inject
    @ConfigProperty(name = "instance.quiet.after")
    Duration quietAfter;

    public Duration quietAfter() {
        return quietAfter;
    }

    /** Applies the rule to every instance now: flags the newly quiet (one log line each), unflags the closed. */
    public void flag() {
        for (EvolutionInstance quiet : instances.flagQuiet(quietAfter, ACTIVE_WITHIN)) {
            LOG.warning(() -> "Instance " + quiet.getInstanceName() + " of user " + quiet.getUserId() + " is open but has "
                    + "had no message traffic since " + quiet.getLastTrafficAt() + " (INSTANCE_QUIET_AFTER " + quietAfter
                    + "): flagged quiet; POST /api/admin/instances/quiet/reconnect restarts the flagged instances");
        }
    }

    /** The flagged instances, the longest quiet first. */
    public List<EvolutionInstance> list() {
        return instances.quietInstances();
    }

    public long count() {
        return instances.countQuiet();
    }

    /**
     * Reconnects every flagged instance as its owner's reconnect does (a restart when open, a new QR code when found
     * closed). The flags stay until traffic resumes: a restart that did not help stays visible.
     */
    public QuietReconnectReport reconnectAll() {
        long reconnected = 0;
        long failed = 0;
        for (EvolutionInstance quiet : instances.quietInstances()) {
            try {
                lifecycle.reconnect(quiet.getUserId());
                reconnected++;
            } catch (ApiException refused) {
                failed++; // a refusal at Evolution was logged by InstanceLifecycle; this says which instance it was
                LOG.warning(() -> "Reconnecting quiet instance " + quiet.getInstanceName() + " of user "
                        + quiet.getUserId() + " failed: " + refused.getMessage());
            } catch (RuntimeException failure) {
                failed++;
                LOG.log(Level.WARNING, "Reconnecting quiet instance " + quiet.getInstanceName() + " of user "
                        + quiet.getUserId() + " failed", failure);
            }
        }
        QuietReconnectReport report = new QuietReconnectReport(reconnected, failed);
        LOG.info(() -> "Operator reconnected the quiet instances: " + report);
        return report;
    }
}
