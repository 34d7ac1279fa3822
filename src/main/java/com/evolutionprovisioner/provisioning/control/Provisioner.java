package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.control.EvolutionClient;
import com.evolutionprovisioner.evolution.control.WebhookConfigurer;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionException.Kind;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.FailedAttempt;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.FailureCode;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
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
 * Works one queue row: claim it, make sure the user's Evolution instance exists with its webhook in force, then
 * complete the row — or record the failed attempt. The same path serves the MDB and the poller; the REST API only
 * queues work.
 * Runs outside any transaction: Evolution calls take seconds, and each queue transition commits on its own.
 */
@ApplicationScoped
public class Provisioner {

    private static final Logger LOG = Logger.getLogger(Provisioner.class.getName());
    static final String WEBHOOK_PATH = "/api/webhooks/evolution";

    @Inject
    ProvisioningQueue queue;

    @Inject
    InstanceRegistry instances;

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

    private boolean claimAndWork(long entryId, String via) {
        Optional<QueueEntry> claimed = queue.claim(entryId, via);
        if (claimed.isEmpty()) {
            LOG.fine(() -> "Queue entry " + entryId + " not claimable (taken, done or not due); " + via + " nudge ignored");
            return false;
        }
        QueueEntry entry = claimed.get();
        if (entry.isDeprovisioning()) {
            deprovisioner.work(entry, via);
            return true;
        }
        UserId user = entry.getUserId();
        String attempt = "attempt " + entry.getAttempts() + "/" + entry.getMaxAttempts();
        metrics.attemptStarted();
        try {
            EvolutionInstance instance = ensureInstance(user, entry.hadEarlierAttempt());
            queue.complete(entryId);
            metrics.completed(Duration.between(entry.getCreatedAt(), OffsetDateTime.now()), instance.getWebhookMethod());
            LOG.info(() -> "Provisioned instance " + instance.getInstanceName() + " for user " + user + " (" + attempt
                    + ", via " + via + ", webhook by " + instance.getWebhookMethod() + ")");
        } catch (RuntimeException failure) {
            recordFailure(entryId, user, attempt, failure);
        }
        return true;
    }

    /**
     * Ends a failed attempt. Only a definitive refusal counts against QUEUE_MAX_ATTEMPTS; an Evolution (or database)
     * that is unavailable is not the user's fault, so such attempts back off and are not counted until the outage
     * has lasted QUEUE_UNAVAILABLE_GIVE_UP.
     */
    private void recordFailure(long entryId, UserId user, String attempt, RuntimeException failure) {
        String reason = reasonOf(failure);
        boolean definitive = failure instanceof EvolutionException evolution
                && (evolution.kind() == Kind.REJECTED || evolution.kind() == Kind.LICENCE_REQUIRED);
        FailureCode code = FailureCode.of(failure);
        FailedAttempt outcome = definitive ? queue.recordRefusal(entryId, reason, code)
                : queue.recordUnavailable(entryId, reason, code);
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
     * Makes the user's instance exist with our webhook in force. What we recorded of it is a belief: when Evolution
     * answers that the instance does not exist (never created, deleted, lost in a restart), the record is forgotten
     * and the instance adopted or created again, within the same attempt.
     */
    EvolutionInstance ensureInstance(UserId user, boolean retrying) {
        try {
            return ensureInstanceOnce(user, retrying);
        } catch (EvolutionException missing) {
            if (missing.kind() != Kind.INSTANCE_MISSING) {
                throw missing;
            }
            LOG.warning(() -> "User " + user + "'s recorded instance is unknown to Evolution (" + missing.getMessage()
                    + "); adopting or creating it again");
            instances.update(user, EvolutionInstance::forgetEvolutionIdentity);
            return ensureInstanceOnce(user, true);
        }
    }

    /**
     * Makes the user's instance exist in Evolution with our webhook in force. Evolution is asked to create only
     * when we hold no Evolution id for it; "name already in use" means a previous attempt (or an older system)
     * created it, and it is adopted.
     */
    private EvolutionInstance ensureInstanceOnce(UserId user, boolean retrying) {
        EvolutionInstance instance = instances.findOrCreate(user, WebhookAuth.of(webhookAuth));
        InstanceName name = instance.getInstanceName();
        WebhookSettings settings = webhookSettings(instance);
        boolean sentInCreateBody = false;
        if (instance.getEvolutionInstanceId() == null) {
            Optional<InstanceName> legacy = findLegacyInstance(user);
            if (legacy.isPresent()) {
                instance = adoptLegacy(user, legacy.get());
                name = instance.getInstanceName();
            } else {
                // An earlier attempt (perhaps on a node that died) may have created it without recording it:
                // look before creating, so Evolution never sees a second create for this user.
                Optional<JsonObject> fromEarlierAttempt = retrying ? evolution.fetchInstance(name) : Optional.empty();
                if (fromEarlierAttempt.isPresent()) {
                    recordIdentityOf(user, fromEarlierAttempt.get());
                    metrics.adopted();
                } else {
                    sentInCreateBody = createOrAdopt(user, name, settings);
                }
            }
        }
        String method = webhooks.configure(name, settings, sentInCreateBody);
        return instances.update(user, record -> record.recordWebhookConfigured(settings.url(), settings.events(), method));
    }

    /**
     * An instance the previous system created for this user under one of its naming schemes
     * (EVOLUTION_LEGACY_INSTANCE_NAMES, templates with {userId}); adopting it avoids a second instance per user.
     */
    private Optional<InstanceName> findLegacyInstance(UserId user) {
        for (String template : legacyNameTemplates.orElse("").split(",")) {
            if (template.isBlank()) {
                continue;
            }
            InstanceName candidate = new InstanceName(template.trim().replace("{userId}", user.toString()));
            if (evolution.fetchInstance(candidate).isPresent()) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private EvolutionInstance adoptLegacy(UserId user, InstanceName legacyName) {
        JsonObject existing = evolution.fetchInstance(legacyName).orElseThrow();
        instances.update(user, record -> record.adoptName(legacyName));
        recordIdentityOf(user, existing);
        metrics.adopted();
        LOG.info(() -> "Legacy instance " + legacyName + " adopted for user " + user + " (instance migration)");
        return instances.findByUser(user).orElseThrow();
    }

    /** Returns whether the webhook went in the create body that Evolution accepted. */
    private boolean createOrAdopt(UserId user, InstanceName name, WebhookSettings settings) {
        EvolutionResponse created = evolution.createInstance(createBody(name, settings, true));
        if (created.status() != 400) {
            return recordCreated(user, name, created);
        }
        // Servers before v2.1 reject the nested webhook object: create without it, configure afterwards.
        LOG.info(() -> "Create of " + name + " with webhook refused (" + created.summary() + "); creating without it");
        recordCreated(user, name, evolution.createInstance(createBody(name, settings, false)));
        return false;
    }

    /** Records what Evolution says of the instance; returns true when it was created now, false when adopted. */
    private boolean recordCreated(UserId user, InstanceName name, EvolutionResponse response) {
        if (response.isSuccess()) {
            JsonObject body = response.jsonObject().orElse(JsonValue.EMPTY_JSON_OBJECT);
            JsonObject described = body.containsKey("instance") && body.get("instance") instanceof JsonObject o ? o : body;
            instances.update(user, record -> record.recordEvolutionIdentity(
                    text(described, "instanceId"), tokenOf(body.get("hash")), secrets));
            return true;
        }
        if (response.status() == 403 && response.body() != null && response.body().contains("already in use")) {
            JsonObject existing = evolution.fetchInstance(name).orElseThrow(() -> EvolutionException.rejected(
                    "create " + name + " answered 'name in use' but fetchInstances does not list it"));
            String id = recordIdentityOf(user, existing);
            metrics.adopted();
            LOG.info(() -> "Instance " + name + " already existed in Evolution (id " + id + "): reconciled for user " + user);
            return false;
        }
        throw EvolutionException.rejected("create instance " + name + ": " + response.summary());
    }

    /** Records the id and token of an instance as fetchInstances describes it (v2 flat, v1 under "instance"). */
    private String recordIdentityOf(UserId user, JsonObject fetched) {
        JsonObject described = fetched.get("instance") instanceof JsonObject o ? o : fetched;
        String id = Optional.ofNullable(text(described, "id")).orElse(text(described, "instanceId"));
        // v2 lists the token as "token", v1 as "apikey"; create answers carry it in "hash"
        String token = Optional.ofNullable(text(described, "token")).or(() -> Optional.ofNullable(text(described, "apikey")))
                .orElse(tokenOf(described.get("hash")));
        instances.update(user, record -> record.recordEvolutionIdentity(id, token, secrets));
        return id;
    }

    private JsonObject createBody(InstanceName name, WebhookSettings settings, boolean withWebhook) {
        var body = Json.createObjectBuilder()
                .add("instanceName", name.value())
                .add("integration", "WHATSAPP-BAILEYS")
                .add("qrcode", true);
        if (withWebhook) {
            body.add("webhook", settings.nestedBody().getJsonObject("webhook"));
        }
        return body.build();
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

    private static String reasonOf(RuntimeException failure) {
        return failure instanceof EvolutionException ? failure.getMessage()
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    private static String text(JsonObject object, String field) {
        JsonValue value = object.get(field);
        return value instanceof JsonString string ? string.getString() : null;
    }

    /** Evolution v2 answers the instance token as a string, v1 as {"apikey": ...}. */
    private static String tokenOf(JsonValue hash) {
        if (hash instanceof JsonString string) {
            return string.getString();
        }
        return hash instanceof JsonObject object ? text(object, "apikey") : null;
    }
}
