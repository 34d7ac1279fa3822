package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.control.EvolutionClient;
import com.evolutionprovisioner.evolution.control.WebhookConfigurer;
import com.evolutionprovisioner.evolution.entity.CreateOutcome;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionException.Kind;
import com.evolutionprovisioner.evolution.entity.InstanceIdentity;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.platform.LogThrottle;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.Claim;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.FailedAttempt;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.FailureCode;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Works one queue row: claim it (placing the instance on an Evolution server with room), make sure the user's Evolution instance exists with its webhook in force, then
 * complete the row — or record the failed attempt. The same path serves the MDB and the poller; the REST API only
 * queues work. Speaks to Evolution only through its typed boundary ({@link EvolutionClient}, {@link WebhookConfigurer}).
 * Runs outside any transaction: Evolution calls take seconds; the claim and the outcome each commit on their own.
 */
@ApplicationScoped
public class Provisioner {

    private static final Logger LOG = Logger.getLogger(Provisioner.class.getName());
    static final String WEBHOOK_PATH = "/api/webhooks/evolution";
    /** A full pool is seen again at every poll of every waiting row: one line a minute says it. */
    private static final LogThrottle NO_CAPACITY_LOG = new LogThrottle(Duration.ofMinutes(1));

    @Inject
    ProvisioningQueue queue;

    @Inject
    EvolutionClient evolution;

    @Inject
    WebhookConfigurer webhooks;

    @Inject
    ProvisioningDispatcher dispatcher;

    @Inject
    ProvisioningMetrics metrics;

    @Inject
    SecretCipher secrets;

    @Inject
    Deprovisioner deprovisioner;

    @Inject
    Relocator relocator;

    @Inject
    @ConfigProperty(name = "evolution.legacy.instance.names")
    Optional<String> legacyNameTemplates;

    @Inject
    @ConfigProperty(name = "evolution.webhook.auth", defaultValue = "jwt")
    String webhookAuth;

    @Inject
    @ConfigProperty(name = "public.base.url")
    String publicBaseUrl;

    @Inject
    @ConfigProperty(name = "evolution.webhook.events")
    List<String> webhookEvents;

    /** Queue rows this node is working on right now; anything else it holds in processing is an orphan. */
    private final Set<Long> workingOn = ConcurrentHashMap.newKeySet();

    /** Claims and works the row; returns false when another worker has it or it is not due. */
    public boolean process(long entryId, String via) {
        workingOn.add(entryId);
        try {
            return claimAndWork(entryId, via);
        } finally {
            workingOn.remove(entryId);
        }
    }

    public Set<Long> workingOn() {
        return Set.copyOf(workingOn);
    }

    /**
     * The script: claim → ensure the instance → ensure the webhook → record the outcome once.
     * Two transactions per provisioned user, the least that stays crash-safe: the claim (with the instance record,
     * so the name and webhook key Evolution is given are on disk first), and the outcome (the queue row with all the
     * attempt learned: Evolution's id and token, an adopted name, the webhook). The Evolution identity is not written
     * as soon as it is known: if this node dies before the outcome, the row comes back (stuck or taken over, the
     * attempt counted) and the next attempt, an earlier one having been made, looks the instance up by its name before
     * creating (fetchInstances), so nothing is created twice and the identity is recovered. A failed attempt writes
     * what it learned with its failure, so the next one need not look.
     */
    private boolean claimAndWork(long entryId, String via) {
        Optional<Claim> claimed = queue.claimToProvision(entryId, via, WebhookAuth.of(webhookAuth));
        if (claimed.isEmpty()) {
            LOG.fine(() -> "Queue entry " + entryId + " not claimable (taken, done or not due); " + via + " nudge ignored");
            return false;
        }
        QueueEntry entry = claimed.get().entry();
        switch (entry.getOperation()) {
            case DEPROVISION -> {
                deprovisioner.work(entry, via);
                return true;
            }
            case RELOCATE -> {
                relocator.work(entry, via);
                return true;
            }
            case PROVISION -> {
                // worked below
            }
        }
        UserId user = entry.getUserId();
        if (claimed.get().waitingForCapacity()) {
            metrics.waitingForCapacity();
            NO_CAPACITY_LOG.log(LOG, Level.WARNING, "no_capacity", () -> "User " + user + " waits for an Evolution server"
                    + " with room: every active server is at capacity. Add a server or raise a capacity"
                    + " (POST or PATCH /api/admin/evolution-servers); waiting users are placed at once.");
            return true;
        }
        AttemptRecord record = new AttemptRecord(claimed.get().instance());
        String attempt = "attempt " + entry.getAttempts() + "/" + entry.getMaxAttempts();
        metrics.attemptStarted();
        try {
            String webhookMethod = ensureInstanceWithWebhook(record, entry.hadEarlierAttempt());
            queue.complete(entryId, user, record.learned());
            metrics.completed(Duration.between(entry.getCreatedAt(), OffsetDateTime.now()), webhookMethod);
            LOG.info(() -> "Provisioned instance " + record.seen().getInstanceName() + " for user " + user + " (" + attempt
                    + ", via " + via + ", webhook by " + webhookMethod + ")");
        } catch (RuntimeException failure) {
            recordFailure(entryId, user, attempt, failure, record);
        }
        return true;
    }

    /**
     * Ends a failed attempt, with what it learned of the instance. Only a definitive refusal counts against
     * QUEUE_MAX_ATTEMPTS; an Evolution (or database) that is unavailable is not the user's fault, so such attempts
     * back off and are not counted until the outage has lasted QUEUE_UNAVAILABLE_GIVE_UP.
     */
    private void recordFailure(long entryId, UserId user, String attempt, RuntimeException failure, AttemptRecord record) {
        AttemptFailure failed = AttemptFailure.of(failure);
        String reason = failed.reason();
        boolean definitive = failed.definitive();
        FailureCode code = failed.code();
        // Our own failure (the database, a bug) may be the writing of what was learned: the row is left to be found
        // again by the next attempt's look-up.
        boolean keepLearned = record.learnedAnything() && failure instanceof EvolutionException;
        FailedAttempt outcome = definitive
                ? (keepLearned ? queue.recordRefusal(entryId, reason, code, user, record.learned())
                        : queue.recordRefusal(entryId, reason, code))
                : (keepLearned ? queue.recordUnavailable(entryId, reason, code, user, record.learned())
                        : queue.recordUnavailable(entryId, reason, code));
        metrics.attemptFailed(failure instanceof EvolutionException evolution
                ? (evolution.isTransient() ? "transient" : "rejected") : "internal", !outcome.willRetry());
        if (outcome.willRetry()) {
            LOG.warning(() -> "Provisioning user " + user + " failed (" + attempt + (definitive ? "" : ", not counted: "
                    + "Evolution or the database unavailable") + "): " + reason + "; next attempt in "
                    + outcome.retryIn().toMillis() + " ms");
            dispatcher.dispatch(entryId, user, "retry", outcome.retryIn());
        } else {
            LOG.severe(() -> "Provisioning user " + user + " FAILED for good (" + attempt + "): " + reason
                    + ". Fix the cause, then re-queue it (admin API or JMX requeue).");
        }
        if (!(failure instanceof EvolutionException)) {
            LOG.log(Level.WARNING, "Unexpected provisioning failure for user " + user, failure);
        }
    }

    /**
     * Ensures the instance, then its webhook; returns how the webhook was confirmed. What we recorded of the instance
     * is a belief: when Evolution answers that it does not exist (never created, deleted, lost in a restart), it is
     * forgotten and the instance adopted or created again, within the same attempt.
     */
    String ensureInstanceWithWebhook(AttemptRecord record, boolean earlierAttempt) {
        WebhookSettings webhook = webhookSettings(record.seen());
        try {
            return ensureWebhook(record, webhook, ensureInstance(record, webhook, earlierAttempt));
        } catch (EvolutionException missing) {
            if (missing.kind() != Kind.INSTANCE_MISSING) {
                throw missing;
            }
            LOG.warning(() -> "User " + record.seen().getUserId() + "'s recorded instance is unknown to Evolution ("
                    + missing.getMessage() + "); adopting or creating it again");
            record.learn(EvolutionInstance::forgetEvolutionIdentity);
            return ensureWebhook(record, webhook, ensureInstance(record, webhook, true));
        }
    }

    /**
     * Makes the user's instance exist in Evolution; returns whether our webhook went in its create body. Evolution
     * is asked to create only when we hold no Evolution id for it: an instance an older system made for the user, or
     * an earlier attempt made, is adopted, and so is one whose name is already in use.
     */
    private boolean ensureInstance(AttemptRecord record, WebhookSettings webhook, boolean earlierAttempt) {
        if (record.seen().getEvolutionInstanceId() != null) {
            return false; // known to us: the webhook step's read-back finds out whether Evolution still has it
        }
        UserId user = record.seen().getUserId();
        Optional<InstanceIdentity> legacy = findLegacyInstance(user);
        if (legacy.isPresent()) {
            adopt(record, legacy.get(), "an older system's, instance migration");
            return false;
        }
        InstanceName name = record.seen().getInstanceName();
        // An earlier attempt (perhaps on a node that died) may have created it without recording it:
        // look before creating, so Evolution never sees a second create for this user.
        Optional<InstanceIdentity> fromEarlierAttempt = earlierAttempt ? evolution.fetchInstance(name) : Optional.empty();
        if (fromEarlierAttempt.isPresent()) {
            adopt(record, fromEarlierAttempt.get(), "an earlier attempt created it");
            return false;
        }
        CreateOutcome created = evolution.createInstance(name, webhook);
        return switch (created.kind()) {
            case CREATED -> {
                record.learn(instance -> instance.recordEvolutionIdentity(
                        created.identity().evolutionId(), created.identity().token(), secrets));
                yield created.webhookInBody();
            }
            case ALREADY_EXISTS -> {
                adopt(record, evolution.fetchInstance(name).orElseThrow(() -> EvolutionException.rejected(
                        "create " + name + " answered 'name in use' but fetchInstances does not list it")),
                        "its name was already in use");
                yield false;
            }
            case REJECTED -> throw EvolutionException.rejected("create instance " + name + ": " + created.reason());
            case LICENCE_REQUIRED -> throw EvolutionException.licenceRequired(created.reason());
        };
    }

    /**
     * An instance the previous system created for this user under one of its naming schemes
     * (EVOLUTION_LEGACY_INSTANCE_NAMES, templates with {userId}); adopting it avoids a second instance per user.
     */
    private Optional<InstanceIdentity> findLegacyInstance(UserId user) {
        for (String template : legacyNameTemplates.orElse("").split(",")) {
            if (template.isBlank()) {
                continue;
            }
            Optional<InstanceIdentity> found = evolution.fetchInstance(
                    new InstanceName(template.trim().replace("{userId}", user.toString())));
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private void adopt(AttemptRecord record, InstanceIdentity existing, String what) {
        if (!existing.name().equals(record.seen().getInstanceName())) {
            record.learn(instance -> instance.adoptName(existing.name()));
        }
        record.learn(instance -> instance.recordEvolutionIdentity(existing.evolutionId(), existing.token(), secrets));
        metrics.adopted();
        LOG.info(() -> "Adopted instance " + existing.name() + " (" + what + ", Evolution id " + existing.evolutionId()
                + ") for user " + record.seen().getUserId());
    }

    /** Makes our webhook configuration true at Evolution, confirmed by a read-back; returns how it was confirmed. */
    private String ensureWebhook(AttemptRecord record, WebhookSettings webhook, boolean sentInCreateBody) {
        String method = webhooks.configure(record.seen().getInstanceName(), webhook, sentInCreateBody);
        record.learn(instance -> instance.recordWebhookConfigured(webhook.url(), webhook.events(), method));
        return method;
    }

    /** The webhook the instance must have: our URL, the configured events, its own key in its auth header. */
    WebhookSettings webhookSettings(EvolutionInstance instance) {
        String base = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        if (!base.startsWith("http://") && !base.startsWith("https://")) {
            // Evolution stores such a URL and then silently never delivers: refuse it here instead.
            throw EvolutionException.rejected("PUBLIC_BASE_URL must start with http:// or https:// (is '" + base + "')");
        }
        String keyHeader = instance.getWebhookAuth() == WebhookAuth.STATIC
                ? WebhookAuth.STATIC_SECRET_HEADER : WebhookSettings.JWT_KEY_HEADER;
        return new WebhookSettings(base + WEBHOOK_PATH, webhookEvents, Map.of(keyHeader, instance.webhookKey(secrets)));
    }
}
