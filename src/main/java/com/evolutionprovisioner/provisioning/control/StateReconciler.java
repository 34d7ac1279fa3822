package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.entity.ConnectionState;
import com.evolutionprovisioner.evolution.control.EvolutionClient;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.platform.LogSafe;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.StateCheckReport;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * State reconciliation: compares each instance's recorded connection state with Evolution's connectionState, which
 * is the truth when a connection.update was lost (Evolution keeps its retries in memory only, and never retries a
 * 4xx). A difference corrects our record; an instance Evolution no longer knows is queued for re-provisioning, as
 * provisioning handles any 404, never created from here. Runs outside any transaction: each update commits on its own.
 */
@ApplicationScoped
public class StateReconciler {

    private static final Logger LOG = Logger.getLogger(StateReconciler.class.getName());

    private enum Outcome { UNCHANGED, CORRECTED, MISSING, FAILED }

    @Inject
    InstanceRegistry instances;

    @Inject
    EvolutionClient evolution;

    @Inject
    ProvisioningQueue queue;

    @Inject
    ProvisioningDispatcher dispatcher;

    /** Checks the given users' instances, one after the other. */
    public StateCheckReport check(Collection<UserId> users) {
        long corrected = 0;
        long missing = 0;
        long failed = 0;
        for (UserId user : users) {
            switch (check(user)) {
                case CORRECTED -> corrected++;
                case MISSING -> missing++;
                case FAILED -> failed++;
                case UNCHANGED -> { }
            }
        }
        return new StateCheckReport(users.size(), corrected, missing, failed);
    }

    private Outcome check(UserId user) {
        Optional<EvolutionInstance> found = instances.findByUser(user);
        if (found.isEmpty()) {
            return Outcome.FAILED; // erased since it was chosen
        }
        EvolutionInstance recorded = found.get();
        InstanceName name = recorded.getInstanceName();
        try {
            ConnectionState observed = evolution.connectionState(name);
            if (!instances.correctConnectionState(user, recorded.getConnectionUpdatedAt(), observed)) {
                return Outcome.UNCHANGED;
            }
            LOG.info(() -> "Instance " + name + " of user " + user + (recorded.getConnectionState() == null
                    ? " had no state recorded yet" : " was recorded " + LogSafe.quote(recorded.getConnectionState()))
                    + " but Evolution says " + observed.wireName() + ": record corrected");
            return Outcome.CORRECTED;
        } catch (EvolutionException failure) {
            if (failure.kind() == EvolutionException.Kind.INSTANCE_MISSING) {
                requeueMissing(user, name);
                return Outcome.MISSING;
            }
            LOG.warning(() -> "State of instance " + name + " (user " + user + ") could not be checked ("
                    + failure.kind() + "): " + LogSafe.quote(failure.getMessage()));
            return Outcome.FAILED;
        } catch (RuntimeException failure) {
            LOG.log(Level.WARNING, "State of instance " + name + " (user " + user + ") could not be checked", failure);
            return Outcome.FAILED;
        }
    }

    private void requeueMissing(UserId user, InstanceName name) {
        instances.recordInstanceMissing(user);
        Optional<Long> entry = queue.requeue(user);
        entry.ifPresent(id -> dispatcher.dispatch(id, user, "state-check", Duration.ZERO));
        LOG.warning(() -> "Instance " + name + " of user " + user + " is unknown to Evolution (deleted, or lost in a "
                + "restart): recorded close, " + (entry.isPresent() ? "queued for re-provisioning"
                : "not re-queued (its queue row is no longer completed)"));
    }
}
