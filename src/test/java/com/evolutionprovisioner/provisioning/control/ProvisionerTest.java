package com.evolutionprovisioner.provisioning.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.control.EvolutionClient;
import com.evolutionprovisioner.evolution.control.WebhookConfigurer;
import com.evolutionprovisioner.evolution.entity.CreateOutcome;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.InstanceIdentity;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.Claim;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.FailedAttempt;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.FailureCode;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueOperation;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UserId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every branch of ensuring a user's instance, against a hand-written stub of the typed Evolution boundary: no server,
 * no database. Each test states what Evolution was asked, in order, and what the attempt will record.
 */
class ProvisionerTest {

    private static final SecretCipher SECRETS = new SecretCipher(
            "unit-test-secrets-key-32-bytes!!".getBytes(StandardCharsets.UTF_8), null, () -> false);
    private static final UserId USER = new UserId(UUID.fromString("6f1c1e2a-0000-4000-8000-000000000001"));
    private static final InstanceName CANONICAL = InstanceName.forUser(USER);
    private static final InstanceName LEGACY = new InstanceName("legacy-" + USER);

    private final StubEvolution evolution = new StubEvolution();
    private final StubWebhooks webhooks = new StubWebhooks(evolution);
    private final CountingMetrics metrics = new CountingMetrics();
    private final Provisioner provisioner = new Provisioner();

    ProvisionerTest() {
        provisioner.evolution = evolution;
        provisioner.webhooks = webhooks;
        provisioner.metrics = metrics;
        provisioner.secrets = SECRETS;
        provisioner.legacyNameTemplates = Optional.empty();
        provisioner.webhookAuth = "jwt";
        provisioner.publicBaseUrl = "https://provisioner.example.com/";
        provisioner.webhookEvents = List.of("QRCODE_UPDATED", "CONNECTION_UPDATE");
    }

    @Test
    void aNewUsersInstanceIsCreatedWithTheWebhookInItsBody() {
        AttemptRecord record = newRecord();

        String method = provisioner.ensureInstanceWithWebhook(record, false);

        assertThat(evolution.calls).containsExactly("create " + CANONICAL);
        assertThat(method).isEqualTo(WebhookConfigurer.METHOD_CREATE_BODY);
        assertThat(stored(record).getEvolutionInstanceId()).isEqualTo("id-" + CANONICAL);
        assertThat(stored(record).getInstanceName()).isEqualTo(CANONICAL);
        assertThat(stored(record).isWebhookConfigured()).isTrue();
        assertThat(metrics.adopted).isZero();
        assertThat(webhooks.configured.get(0).headers()).containsKeys("jwt_key");
        assertThat(webhooks.configured.get(0).url()).isEqualTo("https://provisioner.example.com/api/webhooks/evolution");
    }

    @Test
    void aServerRefusingTheWebhookInTheCreateBodyHasItConfiguredAfterwards() {
        evolution.createOutcomes.add(CreateOutcome.created(identity(CANONICAL), false));
        AttemptRecord record = newRecord();

        String method = provisioner.ensureInstanceWithWebhook(record, false);

        assertThat(method).isEqualTo(StubWebhooks.SET_METHOD);
        assertThat(stored(record).getEvolutionInstanceId()).isEqualTo("id-" + CANONICAL);
        assertThat(stored(record).getWebhookMethod()).isEqualTo(StubWebhooks.SET_METHOD);
    }

    @Test
    void aLegacyInstanceIsAdoptedUnderItsNameInsteadOfCreatingOne() {
        provisioner.legacyNameTemplates = Optional.of("old-{userId}, legacy-{userId}");
        evolution.exists(LEGACY);
        AttemptRecord record = newRecord();

        String method = provisioner.ensureInstanceWithWebhook(record, false);

        assertThat(evolution.calls).containsExactly("fetch old-" + USER, "fetch " + LEGACY);
        assertThat(method).isEqualTo(StubWebhooks.SET_METHOD);
        assertThat(stored(record).getInstanceName()).isEqualTo(LEGACY);
        assertThat(stored(record).getEvolutionInstanceId()).isEqualTo("id-" + LEGACY);
        assertThat(webhooks.names).containsExactly(LEGACY);
        assertThat(metrics.adopted).isEqualTo(1);
    }

    @Test
    void anInstanceAnEarlierAttemptCreatedIsFoundBeforeCreating() {
        evolution.exists(CANONICAL);
        AttemptRecord record = newRecord();

        provisioner.ensureInstanceWithWebhook(record, true);

        assertThat(evolution.calls).containsExactly("fetch " + CANONICAL);
        assertThat(stored(record).getEvolutionInstanceId()).isEqualTo("id-" + CANONICAL);
        assertThat(metrics.adopted).isEqualTo(1);
    }

    @Test
    void anEarlierAttemptThatCreatedNothingLeadsToACreate() {
        AttemptRecord record = newRecord();

        provisioner.ensureInstanceWithWebhook(record, true);

        assertThat(evolution.calls).containsExactly("fetch " + CANONICAL, "create " + CANONICAL);
        assertThat(metrics.adopted).isZero();
    }

    @Test
    void aNameAlreadyInUseIsAdopted() {
        evolution.exists(CANONICAL);
        evolution.createOutcomes.add(CreateOutcome.alreadyExists());
        AttemptRecord record = newRecord();

        String method = provisioner.ensureInstanceWithWebhook(record, false);

        assertThat(evolution.calls).containsExactly("create " + CANONICAL, "fetch " + CANONICAL);
        assertThat(method).isEqualTo(StubWebhooks.SET_METHOD);
        assertThat(stored(record).getEvolutionInstanceId()).isEqualTo("id-" + CANONICAL);
        assertThat(metrics.adopted).isEqualTo(1);
    }

    @Test
    void aNameInUseThatFetchDoesNotListIsARefusal() {
        evolution.createOutcomes.add(CreateOutcome.alreadyExists());

        assertThatThrownBy(() -> provisioner.ensureInstanceWithWebhook(newRecord(), false))
                .isInstanceOfSatisfying(EvolutionException.class,
                        failure -> assertThat(failure.kind()).isEqualTo(EvolutionException.Kind.REJECTED));
    }

    @Test
    void aRecordedInstanceThatEvolutionLostIsForgottenAndCreatedAgain() {
        EvolutionInstance claimed = freshInstance();
        claimed.recordEvolutionIdentity("lost-id", "lost-token", SECRETS); // recorded, but Evolution has no instance
        AttemptRecord recorded = new AttemptRecord(claimed);

        String method = provisioner.ensureInstanceWithWebhook(recorded, false);

        assertThat(webhooks.names).containsExactly(CANONICAL, CANONICAL);
        assertThat(evolution.calls).containsExactly("fetch " + CANONICAL, "create " + CANONICAL);
        assertThat(method).isEqualTo(WebhookConfigurer.METHOD_CREATE_BODY);
        assertThat(stored(recorded).getEvolutionInstanceId()).isEqualTo("id-" + CANONICAL);
    }

    @Test
    void aRefusedCreateAndTheLicenceGateFailTheAttemptByKind() {
        evolution.createOutcomes.add(CreateOutcome.rejected("HTTP 400: Invalid integration"));
        evolution.createOutcomes.add(CreateOutcome.licenceRequired("HTTP 503: LICENSE_REQUIRED"));

        assertThatThrownBy(() -> provisioner.ensureInstanceWithWebhook(newRecord(), false))
                .isInstanceOfSatisfying(EvolutionException.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(EvolutionException.Kind.REJECTED);
                    assertThat(failure.getMessage()).contains("Invalid integration");
                });
        assertThatThrownBy(() -> provisioner.ensureInstanceWithWebhook(newRecord(), false))
                .isInstanceOfSatisfying(EvolutionException.class,
                        failure -> assertThat(failure.kind()).isEqualTo(EvolutionException.Kind.LICENCE_REQUIRED));
    }

    @Test
    void aProvisionedUserTakesTwoTransactionsTheClaimAndTheOutcome() {
        RecordingQueue queue = new RecordingQueue(freshInstance());
        provisioner.queue = queue;

        assertThat(provisioner.process(7L, "jms")).isTrue();

        assertThat(queue.transactions).containsExactly("claim 7 (instance record ensured)", "complete 7 with what was learned");
        EvolutionInstance stored = freshInstance();
        queue.learned.accept(stored);
        assertThat(stored.getEvolutionInstanceId()).isEqualTo("id-" + CANONICAL);
        assertThat(stored.isWebhookConfigured()).isTrue();
    }

    @Test
    void aFailedAttemptRecordsWhatItLearnedWithItsFailureInOneTransaction() {
        RecordingQueue queue = new RecordingQueue(freshInstance());
        provisioner.queue = queue;
        provisioner.dispatcher = new ProvisioningDispatcher() {
            @Override
            public boolean dispatch(long entryId, UserId userId, String origin, Duration delay) {
                return true;
            }
        };
        webhooks.refuse = true;

        provisioner.process(7L, "jms");

        assertThat(queue.transactions).containsExactly("claim 7 (instance record ensured)",
                "refusal 7 (evolution_rejected) with what was learned");
        EvolutionInstance stored = freshInstance();
        queue.learned.accept(stored);
        assertThat(stored.getEvolutionInstanceId()).as("the next attempt need not look it up").isEqualTo("id-" + CANONICAL);
        assertThat(stored.isWebhookConfigured()).isFalse();
    }

    @Test
    void aClaimThatFindsThePoolFullCallsNoEvolutionAndEndsWithTheClaim() {
        RecordingQueue queue = new RecordingQueue(freshInstance());
        queue.poolFull = true;
        provisioner.queue = queue;

        assertThat(provisioner.process(7L, "poller")).isTrue();

        assertThat(queue.transactions).containsExactly("claim 7 (no server with room: back to pending)");
        assertThat(evolution.calls).isEmpty();
        assertThat(webhooks.names).isEmpty();
        assertThat(metrics.waitingForCapacity).isEqualTo(1);
        assertThat(metrics.started).as("no attempt was made").isZero();
    }

    private static InstanceIdentity identity(InstanceName name) {
        return new InstanceIdentity(name, "id-" + name, "token-" + name);
    }

    private static EvolutionInstance freshInstance() {
        return new EvolutionInstance(USER, CANONICAL, "webhook-key", SECRETS);
    }

    private static AttemptRecord newRecord() {
        return new AttemptRecord(freshInstance());
    }

    /** The stored record once the attempt's changes are written: a fresh row with them applied. */
    private static EvolutionInstance stored(AttemptRecord record) {
        EvolutionInstance stored = freshInstance();
        record.learned().accept(stored);
        return stored;
    }

    /** Evolution's instances by name; creates answer the next scripted outcome, else "created, webhook in body". */
    private static final class StubEvolution extends EvolutionClient {
        final Map<InstanceName, InstanceIdentity> instances = new HashMap<>();
        final Deque<CreateOutcome> createOutcomes = new ArrayDeque<>();
        final List<String> calls = new ArrayList<>();

        void exists(InstanceName name) {
            instances.put(name, identity(name));
        }

        @Override
        public CreateOutcome createInstance(InstanceName name, WebhookSettings webhook) {
            calls.add("create " + name);
            CreateOutcome outcome = createOutcomes.isEmpty()
                    ? CreateOutcome.created(identity(name), true) : createOutcomes.remove();
            if (outcome.kind() == CreateOutcome.Kind.CREATED) {
                instances.put(name, outcome.identity());
            }
            return outcome;
        }

        @Override
        public Optional<InstanceIdentity> fetchInstance(InstanceName name) {
            calls.add("fetch " + name);
            return Optional.ofNullable(instances.get(name));
        }
    }

    /** Confirms a webhook on an instance the stub Evolution has; a read-back of any other is a 404. */
    private static final class StubWebhooks extends WebhookConfigurer {
        static final String SET_METHOD = "webhook-set-v2.1";
        private final StubEvolution evolution;
        final List<InstanceName> names = new ArrayList<>();
        final List<WebhookSettings> configured = new ArrayList<>();
        boolean refuse;

        StubWebhooks(StubEvolution evolution) {
            this.evolution = evolution;
        }

        @Override
        public String configure(InstanceName name, WebhookSettings settings, boolean sentInCreateBody) {
            names.add(name);
            if (!evolution.instances.containsKey(name)) {
                throw EvolutionException.instanceMissing("webhook/find " + name + ": HTTP 404");
            }
            if (refuse) {
                throw EvolutionException.rejected("webhook configuration not confirmed for " + name);
            }
            configured.add(settings);
            return sentInCreateBody ? METHOD_CREATE_BODY : SET_METHOD;
        }
    }

    private static final class CountingMetrics extends ProvisioningMetrics {
        int adopted;
        int waitingForCapacity;
        int started;

        @Override
        void waitingForCapacity() {
            waitingForCapacity++;
        }

        @Override
        void adopted() {
            adopted++;
        }

        @Override
        void attemptStarted() {
            started++;
        }

        @Override
        void completed(Duration sinceSignup, String webhookMethod) {
        }

        @Override
        void attemptFailed(String reason, boolean gaveUp) {
        }
    }

    /** The queue's transactions, as the provisioner asks for them. */
    private static final class RecordingQueue extends ProvisioningQueue {
        private final EvolutionInstance instance;
        final List<String> transactions = new ArrayList<>();
        Consumer<EvolutionInstance> learned;
        boolean poolFull;

        RecordingQueue(EvolutionInstance instance) {
            this.instance = instance;
        }

        @Override
        public Optional<Claim> claimToProvision(long entryId, String via, WebhookAuth auth) {
            if (poolFull) {
                transactions.add("claim " + entryId + " (no server with room: back to pending)");
                return Optional.of(new Claim(new FirstAttempt(), instance, true));
            }
            transactions.add("claim " + entryId + " (instance record ensured)");
            return Optional.of(new Claim(new FirstAttempt(), instance, false));
        }

        @Override
        public void complete(long entryId, UserId userId, Consumer<EvolutionInstance> learned) {
            transactions.add("complete " + entryId + " with what was learned");
            this.learned = learned;
        }

        @Override
        public FailedAttempt recordRefusal(long entryId, String error, FailureCode code, UserId userId,
                                           Consumer<EvolutionInstance> learned) {
            transactions.add("refusal " + entryId + " (" + code.dbValue() + ") with what was learned");
            this.learned = learned;
            return new FailedAttempt(true, Duration.ofSeconds(30));
        }
    }

    /** A row claimed for the first time. */
    private static final class FirstAttempt extends QueueEntry {
        @Override
        public UserId getUserId() {
            return USER;
        }

        @Override
        public int getAttempts() {
            return 1;
        }

        @Override
        public int getMaxAttempts() {
            return 3;
        }

        @Override
        public boolean hadEarlierAttempt() {
            return false;
        }

        @Override
        public QueueOperation getOperation() {
            return QueueOperation.PROVISION;
        }

        @Override
        public OffsetDateTime getCreatedAt() {
            return OffsetDateTime.now();
        }
    }
}
