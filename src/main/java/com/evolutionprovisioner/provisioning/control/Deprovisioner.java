package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.control.EvolutionClient;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionException.Kind;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.InstanceRemoval;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.FailedAttempt;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueOperation;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Deletes a user: their Evolution instance (logout, then delete, then wait until Evolution no longer lists it), then
 * all our data about them in one transaction. Queued on the user's provisioning row and worked by the same MDB,
 * poller, claim, attempts and back-off as creation; {@link Provisioner} hands it every row whose operation is
 * deprovision. Our data goes only once Evolution has confirmed: an attempt that fails erases nothing.
 * The wait for the removal is what makes signing up again safe: Evolution keeps a deleted name "in use" until its
 * removal is over, and creating under that name then would adopt the dying instance. Once we answer "deleted", the
 * name is free, and a new signup creates a new instance under the same canonical name.
 * Runs outside any transaction, like the Provisioner: Evolution calls take seconds.
 */
@ApplicationScoped
public class Deprovisioner {

    private static final Logger LOG = Logger.getLogger(Deprovisioner.class.getName());
    private static final String ORIGIN = "deletion";
    private static final Duration REMOVAL_CHECK_EVERY = Duration.ofMillis(250);

    /** What the attempt found at Evolution, as the log and the completed counter say it. */
    enum AtEvolution {
        /** We recorded no instance, or Evolution never listed the name we reserved: no call to make. */
        NEVER_CREATED,
        /** Evolution answered 404: deleted before (by an earlier attempt, an operator, a lost database). */
        ALREADY_GONE,
        /** Logged out, deleted, and no longer listed. */
        REMOVED;

        String label() {
            return name().toLowerCase();
        }
    }

    @Inject
    ProvisioningQueue queue;

    @Inject
    InstanceRegistry instances;

    @Inject
    EvolutionClient evolution;

    @Inject
    UserErasure erasure;

    @Inject
    ProvisioningDispatcher dispatcher;

    @Inject
    DeprovisioningMetrics metrics;

    /** How long one attempt waits for Evolution to finish removing a deleted instance before it checks again later. */
    @Inject
    @ConfigProperty(name = "deprovisioning.removal.wait")
    Duration removalWait;

    /**
     * Queues the deletion of the user (a repeat while it is under way queues nothing more). Returns the row to follow
     * while the deletion is under way; empty once nothing is left of the user — or if there never was anything, which
     * is deliberately the same answer.
     */
    public Optional<QueueEntry> request(UserId user, String requestedBy) {
        Optional<Long> queued = queueDeletion(user);
        if (queued.isPresent()) {
            metrics.started();
            LOG.info(() -> "Deletion of user " + user + " queued (queue entry " + queued.get() + ", by " + requestedBy + ")");
            dispatcher.dispatch(queued.get(), user, ORIGIN, Duration.ZERO);
        }
        return queue.findByUser(user);
    }

    private Optional<Long> queueDeletion(UserId user) {
        try {
            return queue.requestDeprovisioning(user);
        } catch (PersistenceException erasedMeanwhile) {
            if (!isForeignKeyViolation(erasedMeanwhile)) {
                throw erasedMeanwhile;
            }
            // The erasure committed between this request's reading of the profile and its writing of the queue row:
            // the deletion asked for is done.
            LOG.fine(() -> "Deletion of user " + user + " requested while its erasure committed: nothing left to queue");
            return Optional.empty();
        }
    }

    /** PostgreSQL's foreign_key_violation (SQLSTATE 23503), wherever the JPA provider wrapped it. */
    private static boolean isForeignKeyViolation(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql && "23503".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Works one claimed deprovisioning attempt to its end: erased, or the failure recorded for a retry. */
    public void work(QueueEntry entry, String via) {
        UserId user = entry.getUserId();
        String attempt = "attempt " + entry.getAttempts() + "/" + entry.getMaxAttempts();
        try {
            AtEvolution atEvolution = instances.findByUser(user).map(this::removeAtEvolution).orElse(AtEvolution.NEVER_CREATED);
            Optional<UserErasure.Erased> erased = erasure.erase(entry.getId(), user);
            if (erased.isEmpty()) {
                LOG.warning(() -> "Deletion of user " + user + ": the queue row was taken over by another worker before"
                        + " the erasure; left to it (" + attempt + ", via " + via + ")");
                return;
            }
            OffsetDateTime requestedAt = Optional.ofNullable(entry.getDeprovisioningRequestedAt()).orElse(entry.getCreatedAt());
            Duration took = Duration.between(requestedAt, OffsetDateTime.now());
            metrics.completed(atEvolution.label(), took);
            var rows = erased.get().webhookData();
            LOG.info(() -> "Deleted user " + user + ": instance " + erased.get().instanceName().map(InstanceName::value)
                    .orElse("(none)") + " " + atEvolution.label() + " at Evolution; erased the profile, the instance record"
                    + " and its keys, " + rows.events() + " webhook event(s), " + rows.messages() + " message(s), "
                    + erased.get().connectionHistory() + " connection state(s) (" + attempt + ", via " + via + ", "
                    + took.toMillis() + " ms after the request)");
        } catch (RuntimeException failure) {
            recordFailure(entry.getId(), user, attempt, failure);
        }
    }

    /**
     * Makes sure Evolution no longer has the instance. An instance we never got an Evolution id for may still have
     * been created by an attempt that died before recording it: Evolution is asked, and only a name it does not list
     * is skipped. Also how a relocation removes an instance from the server it leaves ({@link Relocator}).
     */
    public AtEvolution removeAtEvolution(EvolutionInstance instance) {
        InstanceName name = instance.getInstanceName();
        if (instance.getEvolutionInstanceId() == null && evolution.fetchInstance(name).isEmpty()) {
            return AtEvolution.NEVER_CREATED;
        }
        try {
            evolution.logout(name);
        } catch (EvolutionException failure) {
            if (failure.kind() == Kind.INSTANCE_MISSING) {
                return AtEvolution.ALREADY_GONE;
            }
            throw failure;
        }
        if (evolution.delete(name) == InstanceRemoval.ALREADY_GONE) {
            return AtEvolution.ALREADY_GONE;
        }
        awaitRemoval(name);
        return AtEvolution.REMOVED;
    }

    /**
     * Evolution answers a delete before the instance is gone (it removes it after its remove.instance step). Until
     * fetchInstances stops listing the name, Evolution has not confirmed, so nothing of ours is erased: a removal
     * slower than DEPROVISIONING_REMOVAL_WAIT ends the attempt as "Evolution busy", retried like an outage (the next
     * attempt deletes again: Evolution may have lost the removal in a restart).
     */
    private void awaitRemoval(InstanceName name) {
        long deadline = System.nanoTime() + removalWait.toNanos();
        while (evolution.fetchInstance(name).isPresent()) {
            if (System.nanoTime() >= deadline) {
                throw EvolutionException.unavailable("Evolution accepted the deletion of " + name + " but still lists it after "
                        + removalWait.toMillis() + " ms (removal under way)", null);
            }
            try {
                Thread.sleep(REMOVAL_CHECK_EVERY.toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw EvolutionException.unavailable("interrupted while waiting for the removal of " + name, interrupted);
            }
        }
    }

    /**
     * Ends a failed attempt by the rules of creation: a definitive refusal counts against QUEUE_MAX_ATTEMPTS, an
     * unavailable Evolution (or database) backs off without counting until QUEUE_UNAVAILABLE_GIVE_UP.
     */
    private void recordFailure(long entryId, UserId user, String attempt, RuntimeException failure) {
        AttemptFailure failed = AttemptFailure.of(failure);
        String reason = failed.reason();
        boolean definitive = failed.definitive();
        FailedAttempt outcome = queue.recordFailure(entryId, QueueOperation.DEPROVISION, failed);
        metrics.attemptFailed(failure instanceof EvolutionException evolutionFailure
                ? (evolutionFailure.isTransient() ? "transient" : "rejected") : "internal", !outcome.willRetry());
        if (outcome.willRetry()) {
            LOG.warning(() -> "Deleting user " + user + " failed (" + attempt + (definitive ? "" : ", not counted: "
                    + "Evolution or the database unavailable") + "): " + reason + "; nothing erased; next attempt in "
                    + outcome.retryIn().toMillis() + " ms");
            dispatcher.dispatch(entryId, user, "retry", outcome.retryIn());
        } else {
            LOG.severe(() -> "Deleting user " + user + " FAILED for good (" + attempt + "): " + reason
                    + ". Nothing was erased. Fix the cause, then re-queue it (admin requeue, or the user deletes again).");
        }
        if (!(failure instanceof EvolutionException)) {
            LOG.log(Level.WARNING, "Unexpected deprovisioning failure for user " + user, failure);
        }
    }
}
