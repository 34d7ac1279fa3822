package com.evolutionprovisioner.provisioning.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.control.EvolutionClient;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionException.Kind;
import com.evolutionprovisioner.evolution.entity.InstanceIdentity;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.InstanceRemoval;
import com.evolutionprovisioner.provisioning.control.Deprovisioner.AtEvolution;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue.FailedAttempt;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.FailureCode;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueOperation;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UserId;
import jakarta.persistence.PersistenceException;
import java.lang.reflect.Field;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a deprovisioning attempt asks Evolution, in which order, when it skips the calls, when it counts the
 * instance as gone, and that an attempt which fails erases nothing and is recorded as a deprovisioning failure.
 */
class DeprovisionerTest {

    private static final SecretCipher SECRETS = new SecretCipher(new byte[32], null, () -> false);
    private static final UserId USER = new UserId(UUID.fromString("6f0c1c1e-4a7b-4c1e-9a55-0c3c1d2e3f40"));
    private static final InstanceName NAME = InstanceName.forUser(USER);

    private final FakeEvolution evolution = new FakeEvolution();
    private final Deprovisioner deprovisioner = new Deprovisioner();

    @BeforeEach
    void wire() {
        deprovisioner.evolution = evolution;
        deprovisioner.removalWait = Duration.ofMillis(600);
    }

    @Test
    void aRecordedInstanceIsLoggedOutDeletedAndWaitedForUntilEvolutionNoLongerListsIt() {
        evolution.listedFor = 2; // still listed at the first two checks after the delete

        AtEvolution outcome = deprovisioner.removeAtEvolution(recordedInstance());

        assertThat(outcome).isEqualTo(AtEvolution.REMOVED);
        assertThat(evolution.calls).containsExactly("logout", "delete", "fetch", "fetch", "fetch");
    }

    @Test
    void anInstanceWithoutAnEvolutionIdThatEvolutionDoesNotListCostsNoOtherCall() {
        AtEvolution outcome = deprovisioner.removeAtEvolution(unrecordedInstance());

        assertThat(outcome).isEqualTo(AtEvolution.NEVER_CREATED);
        assertThat(evolution.calls).containsExactly("fetch");
    }

    @Test
    void anInstanceACrashedAttemptCreatedWithoutRecordingItIsDeletedAllTheSame() {
        evolution.listedFor = 1;

        AtEvolution outcome = deprovisioner.removeAtEvolution(unrecordedInstance());

        assertThat(outcome).isEqualTo(AtEvolution.REMOVED);
        assertThat(evolution.calls).containsExactly("fetch", "logout", "delete", "fetch");
    }

    @Test
    void a404OnLogoutMeansGoneAndNothingIsDeleted() {
        evolution.logoutFailure = EvolutionException.instanceMissing("logout: Evolution does not know the instance");

        assertThat(deprovisioner.removeAtEvolution(recordedInstance())).isEqualTo(AtEvolution.ALREADY_GONE);
        assertThat(evolution.calls).containsExactly("logout");
    }

    @Test
    void a404OnDeleteMeansGoneWithoutWaiting() {
        evolution.removal = InstanceRemoval.ALREADY_GONE;
        evolution.listedFor = 100;

        assertThat(deprovisioner.removeAtEvolution(recordedInstance())).isEqualTo(AtEvolution.ALREADY_GONE);
        assertThat(evolution.calls).containsExactly("logout", "delete");
    }

    @Test
    void aRemovalSlowerThanTheWaitEndsTheAttemptAsEvolutionUnavailable() {
        evolution.listedFor = 1_000;

        assertThatThrownBy(() -> deprovisioner.removeAtEvolution(recordedInstance()))
                .isInstanceOfSatisfying(EvolutionException.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
                    assertThat(failure.getMessage()).contains(NAME.value()).contains("still lists it");
                });
        assertThat(evolution.calls).startsWith("logout", "delete", "fetch").doesNotContain("create");
    }

    @Test
    void anAttemptThatFailsAtEvolutionErasesNothingAndIsRecordedAsAnUnavailableDeprovisioning() throws Exception {
        evolution.logoutFailure = EvolutionException.unavailable("DELETE /instance/logout/x timed out", null);
        RecordingQueue queue = new RecordingQueue();
        RecordingErasure erasure = new RecordingErasure();
        RecordingDispatcher dispatcher = new RecordingDispatcher();
        deprovisioner.queue = queue;
        deprovisioner.erasure = erasure;
        deprovisioner.dispatcher = dispatcher;
        deprovisioner.metrics = new SilentMetrics();
        deprovisioner.instances = new InstanceRegistry() {
            @Override
            public Optional<EvolutionInstance> findByUser(UserId userId) {
                return Optional.of(recordedInstance());
            }
        };

        deprovisioner.work(entry(42L), "poller");

        assertThat(erasure.erased).isFalse();
        assertThat(queue.recorded).containsExactly("unavailable 42 deprovision evolution_unavailable");
        assertThat(dispatcher.dispatched).containsExactly("42 retry PT3S");
    }

    @Test
    void aDeletionRequestedWhileTheErasureCommitsFindsNothingLeftInsteadOfFailing() {
        RecordingDispatcher dispatcher = new RecordingDispatcher();
        deprovisioner.dispatcher = dispatcher;
        deprovisioner.queue = new QueueRacingTheErasure("23503"); // foreign_key_violation: the profile is gone

        assertThat(deprovisioner.request(USER, "the user")).isEmpty();
        assertThat(dispatcher.dispatched).isEmpty();
    }

    @Test
    void anyOtherDatabaseFailureOfTheRequestIsNotTakenForAnErasure() {
        deprovisioner.dispatcher = new RecordingDispatcher();
        deprovisioner.queue = new QueueRacingTheErasure("40P01"); // deadlock_detected

        assertThatThrownBy(() -> deprovisioner.request(USER, "the user")).isInstanceOf(PersistenceException.class);
    }

    /** A queue whose deletion request fails as PostgreSQL does, wrapped as the JPA provider wraps it; the row is gone. */
    private static final class QueueRacingTheErasure extends ProvisioningQueue {
        private final String sqlState;

        QueueRacingTheErasure(String sqlState) {
            this.sqlState = sqlState;
        }

        @Override
        public Optional<Long> requestDeprovisioning(UserId userId) {
            throw new PersistenceException("Exception [EclipseLink-4002]",
                    new RuntimeException("DatabaseException", new SQLException("ERROR", sqlState)));
        }

        @Override
        public Optional<QueueEntry> findByUser(UserId userId) {
            return Optional.empty();
        }
    }

    private static EvolutionInstance recordedInstance() {
        EvolutionInstance instance = unrecordedInstance();
        instance.recordEvolutionIdentity("evolution-instance-id", "TOKEN", SECRETS);
        return instance;
    }

    private static EvolutionInstance unrecordedInstance() {
        return new EvolutionInstance(USER, NAME, "webhook-key", SECRETS);
    }

    /** A claimed row as the claim returns it: the JPA entity has no public constructor, its fields are set as JPA does. */
    private static QueueEntry entry(long id) throws Exception {
        var constructor = QueueEntry.class.getDeclaredConstructor();
        constructor.setAccessible(true);
        QueueEntry entry = constructor.newInstance();
        set(entry, "id", id);
        set(entry, "userId", USER.value());
        set(entry, "operation", QueueOperation.DEPROVISION);
        set(entry, "attempts", 1);
        set(entry, "maxAttempts", 3);
        set(entry, "createdAt", OffsetDateTime.now().minusDays(1));
        set(entry, "deprovisioningRequestedAt", OffsetDateTime.now());
        return entry;
    }

    private static void set(Object target, String field, Object value) throws Exception {
        Field declared = target.getClass().getDeclaredField(field);
        declared.setAccessible(true);
        declared.set(target, value);
    }

    /** Evolution as the deprovisioner sees it: each call recorded, each answer scripted. */
    private static final class FakeEvolution extends EvolutionClient {
        final List<String> calls = new ArrayList<>();
        int listedFor;
        EvolutionException logoutFailure;
        InstanceRemoval removal = InstanceRemoval.REQUESTED;

        @Override
        public Optional<InstanceIdentity> fetchInstance(InstanceName name) {
            assertThat(name).isEqualTo(NAME);
            calls.add("fetch");
            return listedFor-- > 0 ? Optional.of(new InstanceIdentity(name, "evolution-id", "token")) : Optional.empty();
        }

        @Override
        public boolean logout(InstanceName name) {
            calls.add("logout");
            if (logoutFailure != null) {
                throw logoutFailure;
            }
            return true;
        }

        @Override
        public InstanceRemoval delete(InstanceName name) {
            calls.add("delete");
            return removal;
        }
    }

    private static final class RecordingQueue extends ProvisioningQueue {
        final List<String> recorded = new ArrayList<>();

        @Override
        public FailedAttempt recordUnavailable(long entryId, QueueOperation operation, String error, FailureCode code) {
            recorded.add("unavailable " + entryId + " " + operation.dbValue() + " " + code.dbValue());
            return new FailedAttempt(true, Duration.ofSeconds(3));
        }

        @Override
        public FailedAttempt recordRefusal(long entryId, QueueOperation operation, String error, FailureCode code) {
            recorded.add("refusal " + entryId + " " + operation.dbValue() + " " + code.dbValue());
            return new FailedAttempt(true, Duration.ofSeconds(3));
        }
    }

    private static final class RecordingErasure extends UserErasure {
        boolean erased;

        @Override
        public Optional<Erased> erase(long entryId, UserId user) {
            erased = true;
            return Optional.empty();
        }
    }

    private static final class RecordingDispatcher extends ProvisioningDispatcher {
        final List<String> dispatched = new ArrayList<>();

        @Override
        public boolean dispatch(long entryId, UserId userId, String origin, Duration delay) {
            dispatched.add(entryId + " " + origin + " " + delay);
            return true;
        }
    }

    private static final class SilentMetrics extends DeprovisioningMetrics {
        @Override
        void attemptFailed(String reason, boolean gaveUp) {
        }
    }
}
