package com.evolutionprovisioner.webhooks.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UnreadableSecretException;
import com.evolutionprovisioner.security.UserId;
import com.evolutionprovisioner.testsupport.EvolutionSignatures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeliveryAuthenticatorTest {

    private static final String KEY = "instance-key-0123456789abcdef0123456789ab";
    private final SecretCipher secrets = cipher("unit-test-secrets-key-32-bytes!!");
    private final DeliveryAuthenticator authenticator = new DeliveryAuthenticator();
    private final UserId user = new UserId(UUID.randomUUID());

    DeliveryAuthenticatorTest() {
        authenticator.secrets = secrets;
    }

    @Test
    void aFreshTokenSignedWithTheInstanceKeyIsAuthentic() {
        assertThat(authenticator.rejectionReason(instance(), bearer(KEY, Duration.ofMinutes(10)), null)).isNull();
    }

    @Test
    void wrongKeyExpiredTokenAndNoTokenAreRejected() {
        assertThat(authenticator.rejectionReason(instance(), bearer("another-key-0123456789abcdef0123456789abc", Duration.ofMinutes(10)), null))
                .contains("signature");
        assertThat(authenticator.rejectionReason(instance(), bearer(KEY, Duration.ofMinutes(-5)), null)).contains("expired");
        assertThat(authenticator.rejectionReason(instance(), null, null)).contains("no bearer");
        assertThat(authenticator.rejectionReason(instance(), "Bearer not-a-jwt", null)).contains("malformed");
    }

    @Test
    void theStaticModeComparesTheSecretHeaderAndIgnoresTokens() {
        EvolutionInstance instance = instance();
        instance.useWebhookAuth(WebhookAuth.STATIC);

        assertThat(authenticator.rejectionReason(instance, null, KEY)).isNull();
        assertThat(authenticator.rejectionReason(instance, null, KEY + "x")).isNotNull();
        assertThat(authenticator.rejectionReason(instance, bearer(KEY, Duration.ofMinutes(10)), null)).isNotNull();
    }

    @Test
    void afterARotationBothKeysWorkDuringTheGracePeriod() {
        EvolutionInstance instance = instance();
        instance.rotateWebhookKey("rotated-key-0123456789abcdef0123456789abc", secrets);

        assertThat(authenticator.rejectionReason(instance, bearer(KEY, Duration.ofMinutes(10)), null)).isNull();
        assertThat(authenticator.rejectionReason(instance, bearer("rotated-key-0123456789abcdef0123456789abc", Duration.ofMinutes(10)), null)).isNull();
    }

    @Test
    void aKeyThatCannotBeReadVerifiesNothing() {
        EvolutionInstance underAnotherSecretsKey = new EvolutionInstance(user, InstanceName.forUser(user), KEY,
                cipher("another-secrets-key-of-32-bytes!"));

        assertThatThrownBy(() -> authenticator.rejectionReason(underAnotherSecretsKey, bearer(KEY, Duration.ofMinutes(10)), null))
                .isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("evolution_instances.webhook_key of the row user_id = " + user);
    }

    private EvolutionInstance instance() {
        return new EvolutionInstance(user, InstanceName.forUser(user), KEY, secrets);
    }

    private static SecretCipher cipher(String key) {
        return new SecretCipher(key.getBytes(StandardCharsets.UTF_8), null, () -> false);
    }

    private static String bearer(String key, Duration expiresIn) {
        return "Bearer " + EvolutionSignatures.deliveryToken(key, expiresIn);
    }
}
