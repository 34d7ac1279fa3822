package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.control.EvolutionPool;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.FailedAttempt;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.Moved;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.Relocation;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueOperation;
import com.evolutionprovisioner.provisioning.entity.RelocationReport;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves never-paired instances off an Evolution server (draining it): an operator's request turns their queue rows
 * into relocations, and the workers (MDB, poller, claim, attempts, back-off, as for creation) each delete one at its
 * server, wait until Evolution no longer lists it, move its placement, and hand the row back to provisioning, which
 * creates the instance again at its new server. A paired instance is never moved: its WhatsApp session lives there.
 * Runs outside any transaction, like the Provisioner: Evolution calls take seconds.
 */
@ApplicationScoped
public class Relocator {

    private static final Logger LOG = Logger.getLogger(Relocator.class.getName());
    /**
     * How long a moved instance waits before it is created at its new server: longer than any node keeps a placement
     * in its cache (EvolutionPool, 10 s), so that no node still routes its create to the server it left.
     */
    static final Duration PLACEMENT_SETTLE = Duration.ofSeconds(11);

    @Inject
    ProvisioningQueue queue;

    @Inject
    InstanceRegistry instances;

    @Inject
    EvolutionPool pool;

    @Inject
    Deprovisioner deprovisioner;

    @Inject
    ProvisioningDispatcher dispatcher;

    /**
     * Queues the move of every never-paired instance placed on {@code server}; each row is nudged at once. Empty when
     * the pool has no server of that name.
     */
    public Optional<RelocationReport> relocateFrom(String server, String requestedBy) {
        Optional<Relocation> requested = queue.requestRelocationFrom(server);
        requested.ifPresent(relocation -> {
            relocation.moving().forEach(id -> dispatcher.dispatch(id, null, "relocation", Duration.ZERO));
            LOG.info(() -> "Relocation off Evolution server " + server + " requested by " + requestedBy + ": "
                    + relocation.moving().size() + " never-paired instance(s) queued to move, " + relocation.staying()
                    + " staying (paired, or being deleted)");
        });
        return requested.map(relocation -> new RelocationReport(relocation.moving().size(), relocation.staying()));
    }

    /** Works one claimed relocation to its end: handed back to provisioning, or the failure recorded for a retry. */
    public void work(QueueEntry entry, String via) {
        UserId user = entry.getUserId();
        String attempt = "attempt " + entry.getAttempts() + "/" + entry.getMaxAttempts();
        try {
            Optional<EvolutionInstance> instance = instances.findByUser(user);
            if (instance.isEmpty() || !queue.neverPaired(user)) {
                queue.cancelRelocation(entry.getId());
                LOG.info(() -> "Relocation of user " + user + "'s instance cancelled: " + (instance.isEmpty()
                        ? "no instance record" : "a phone was linked meanwhile, it stays") + " (" + attempt + ")");
                dispatcher.dispatch(entry.getId(), user, "relocation", Duration.ZERO);
                return;
            }
            InstanceName name = instance.get().getInstanceName();
            Optional<String> from = pool.serverOf(name);
            Deprovisioner.AtEvolution removed = deprovisioner.removeAtEvolution(instance.get());
            Moved moved = queue.finishRelocation(entry.getId(), user, name, PLACEMENT_SETTLE);
            if (!moved.handedBack()) {
                LOG.info(() -> "Relocating instance " + name + " of user " + user + ": " + removed.label() + " at "
                        + from.orElse("(no server)") + "; the user asked for deletion meanwhile, which goes on");
                dispatcher.dispatch(entry.getId(), user, "deletion", Duration.ZERO);
                return;
            }
            LOG.info(() -> "Relocating instance " + name + " of user " + user + ": " + removed.label() + " at "
                    + from.orElse("(no server)") + "; " + moved.to().map(server -> "moved to " + server)
                    .orElse("no other active server has room, so it is created again where it was") + " ("
                    + attempt + ", via " + via + "); created in " + PLACEMENT_SETTLE.toSeconds() + " s");
            dispatcher.dispatch(entry.getId(), user, "relocation", PLACEMENT_SETTLE);
        } catch (RuntimeException failure) {
            recordFailure(entry.getId(), user, attempt, failure);
        }
    }

    /** Ends a failed attempt by the rules of creation: refusals count, an unavailable Evolution backs off. */
    private void recordFailure(long entryId, UserId user, String attempt, RuntimeException failure) {
        AttemptFailure failed = AttemptFailure.of(failure);
        String reason = failed.reason();
        FailedAttempt outcome = queue.recordFailure(entryId, QueueOperation.RELOCATE, failed);
        if (outcome.willRetry()) {
            LOG.warning(() -> "Relocating user " + user + "'s instance failed (" + attempt + "): " + reason
                    + "; nothing moved; next attempt in " + outcome.retryIn().toMillis() + " ms");
            dispatcher.dispatch(entryId, user, "retry", outcome.retryIn());
        } else {
            LOG.severe(() -> "Relocating user " + user + "'s instance FAILED for good (" + attempt + "): " + reason
                    + ". Nothing moved; re-queue it (admin requeue) once the cause is fixed.");
        }
        if (!(failure instanceof EvolutionException)) {
            LOG.log(Level.WARNING, "Unexpected relocation failure for user " + user, failure);
        }
    }
}
