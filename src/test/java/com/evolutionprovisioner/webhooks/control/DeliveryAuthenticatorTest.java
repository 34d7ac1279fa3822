package com.evolutionprovisioner.webhooks.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UnreadableSecretException;
import com.evolutionprovisioner.security.UserId;
import com.evolutionprovisioner.testsupport.EvolutionSignatures;
import com.evolutionprovisioner.webhooks.control.DeliveryAuthenticator.Credentials;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeliveryAuthenticatorTest {

    private static final String KEY = "instance-key-0123456789abcdef0123456789ab";
    private static final String ROTATED = "rotated-key-0123456789abcdef0123456789abc";
    private final SecretCipher secrets = cipher("unit-test-secrets-key-32-bytes!!");
    private final DeliveryAuthenticator authenticator = new DeliveryAuthenticator();
    private final UserId user = new UserId(UUID.randomUUID());

    DeliveryAuthenticatorTest() {
        authenticator.tokenMaxAge = Duration.ofMinutes(45);
        authenticator.clockSkew = Duration.ofSeconds(60);
        authenticator.secrets = secrets;
    }

    @Test
    void aFreshTokenSignedWithTheInstanceKeyIsAuthentic() {
        assertThat(authenticator.rejectionReason(instance(), bearer(KEY, Duration.ZERO))).isNull();
    }

    @Test
    void aRetryCarryingTheFirstAttemptsTokenPastItsExpIsStillAuthentic() {
        // Evolution's 10th attempt comes ~20-25 minutes after the first, with the token made for the first.
        assertThat(authenticator.rejectionReason(instance(), bearer(KEY, Duration.ofMinutes(24)))).isNull();
        assertThat(authenticator.rejectionReason(instance(), bearer(KEY, Duration.ofMinutes(44)))).isNull();
    }

    @Test
    void aTokenOlderThanTheMaxAgeOrFromTheFutureIsRejected() {
        assertThat(authenticator.rejectionReason(instance(), bearer(KEY, Duration.ofMinutes(46)))).contains("older than 45 minutes");
        assertThat(authenticator.rejectionReason(instance(), bearer(KEY, Duration.ofMinutes(-5)))).contains("future");
        assertThat(authenticator.rejectionReason(instance(), bearer(KEY, Duration.ofSeconds(-30)))).isNull();
    }

    @Test
    void wrongKeyNoTokenAndMalformedTokenAreRejected() {
        assertThat(authenticator.rejectionReason(instance(), bearer("another-key-0123456789abcdef0123456789abc", Duration.ZERO)))
                .contains("signature");
        assertThat(authenticator.rejectionReason(instance(), new Credentials(null, null, null))).contains("no bearer");
        assertThat(authenticator.rejectionReason(instance(), new Credentials("Bearer not-a-jwt", null, null))).contains("malformed");
    }

    @Test
    void serversOlderThanJwtKeySendTheKeyHeaderItselfWhichMustMatch() {
        assertThat(authenticator.rejectionReason(instance(), new Credentials(null, null, KEY))).isNull();
        assertThat(authenticator.rejectionReason(instance(), new Credentials(null, null, KEY + "x"))).contains("does not match");
    }

    @Test
    void theStaticModeComparesTheSecretHeaderAndIgnoresTokens() {
        EvolutionInstance instance = instance();
        instance.useWebhookAuth(WebhookAuth.STATIC);

        assertThat(authenticator.rejectionReason(instance, new Credentials(null, KEY, null))).isNull();
        assertThat(authenticator.rejectionReason(instance, new Credentials(null, KEY + "x", null))).isNotNull();
        assertThat(authenticator.rejectionReason(instance, bearer(KEY, Duration.ZERO))).isNotNull();
    }

    @Test
    void afterARotationBothKeysWorkForAsLongAsATokenIsRetried() {
        EvolutionInstance instance = instance();
        instance.rotateWebhookKey(ROTATED, secrets);

        assertThat(authenticator.rejectionReason(instance, bearer(KEY, Duration.ofMinutes(20)))).isNull();
        assertThat(authenticator.rejectionReason(instance, bearer(ROTATED, Duration.ZERO))).isNull();
        assertThat(authenticator.rotationGrace()).isEqualTo(Duration.ofMinutes(45));
    }

    @Test
    void aKeyThatCannotBeReadVerifiesNothing() {
        EvolutionInstance underAnotherSecretsKey = new EvolutionInstance(user, InstanceName.forUser(user), KEY,
                cipher("another-secrets-key-of-32-bytes!"));

        assertThatThrownBy(() -> authenticator.rejectionReason(underAnotherSecretsKey, bearer(KEY, Duration.ZERO)))
                .isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("evolution_instances.webhook_key of the row user_id = " + user);
    }

    @Test
    void anInstancesKeysAreReadOnceForManyDeliveriesAndANewKeyWorksAtItsFirstDelivery() {
        EvolutionInstance instance = instance();
        RecordingRegistry registry = cachingWith(instance);
        String name = instance.getInstanceName().value();

        for (int i = 0; i < 5; i++) {
            assertThat(authenticator.rejectionReason(name, bearer(KEY, Duration.ZERO))).isNull();
        }
        assertThat(registry.reads).isEqualTo(1);

        instance.rotateWebhookKey(ROTATED, secrets);
        assertThat(authenticator.rejectionReason(name, bearer(ROTATED, Duration.ZERO))).as("re-read on rejection").isNull();
        assertThat(registry.reads).isEqualTo(2);
        assertThat(authenticator.rejectionReason(name, bearer(KEY, Duration.ZERO))).as("the old key, within the grace").isNull();
        assertThat(registry.reads).isEqualTo(2);
    }

    @Test
    void aForgedDeliveryIsCheckedAgainstTheRowAndAnUnknownInstanceIsNotCached() {
        EvolutionInstance instance = instance();
        RecordingRegistry registry = cachingWith(instance);
        String name = instance.getInstanceName().value();
        authenticator.rejectionReason(name, bearer(KEY, Duration.ZERO));

        assertThat(authenticator.rejectionReason(name, bearer("forged-key-0123456789abcdef0123456789abcd", Duration.ZERO)))
                .contains("signature does not match");
        assertThat(authenticator.rejectionReason("evp-nobody", bearer(KEY, Duration.ZERO))).isEqualTo("unknown instance");
        assertThat(authenticator.rejectionReason("evp-nobody", bearer(KEY, Duration.ZERO))).isEqualTo("unknown instance");
        assertThat(registry.reads).isEqualTo(4);
    }

    @Test
    void cachedKeysAreReadAgainOnceTheirTimeIsUp() throws Exception {
        EvolutionInstance instance = instance();
        RecordingRegistry registry = cachingWith(instance);
        authenticator.keyCacheTtl = Duration.ofMillis(50);
        String name = instance.getInstanceName().value();

        authenticator.rejectionReason(name, bearer(KEY, Duration.ZERO));
        Thread.sleep(80);
        authenticator.rejectionReason(name, bearer(KEY, Duration.ZERO));

        assertThat(registry.reads).isEqualTo(2);
    }

    /** The instance registry's lookup by name, over one instance, counting the reads. */
    private static final class RecordingRegistry extends InstanceRegistry {
        private final EvolutionInstance instance;
        int reads;

        RecordingRegistry(EvolutionInstance instance) {
            this.instance = instance;
        }

        @Override
        public Optional<EvolutionInstance> findByName(InstanceName name) {
            reads++;
            return instance.getInstanceName().equals(name) ? Optional.of(instance) : Optional.empty();
        }
    }

    private RecordingRegistry cachingWith(EvolutionInstance instance) {
        RecordingRegistry registry = new RecordingRegistry(instance);
        authenticator.instances = registry;
        authenticator.keyCacheTtl = Duration.ofSeconds(10);
        return registry;
    }

    private EvolutionInstance instance() {
        return new EvolutionInstance(user, InstanceName.forUser(user), KEY, secrets);
    }

    private static SecretCipher cipher(String key) {
        return new SecretCipher(key.getBytes(StandardCharsets.UTF_8), null, () -> false);
    }

    private static Credentials bearer(String key, Duration age) {
        return new Credentials("Bearer " + EvolutionSignatures.deliveryToken(key, age), null, null);
    }
}
