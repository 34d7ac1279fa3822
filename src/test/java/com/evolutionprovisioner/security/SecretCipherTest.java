package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretCipherTest {

    private final SecretCipher cipher = new SecretCipher("unit-test-secrets-key-32-bytes!!".getBytes(StandardCharsets.UTF_8));

    @Test
    void encryptedSecretsReadBackAndDoNotContainThePlainText() {
        String stored = cipher.encrypt("instance-webhook-key");

        assertThat(stored).startsWith("v1:").doesNotContain("instance-webhook-key");
        assertThat(cipher.decrypt(stored)).isEqualTo("instance-webhook-key");
        assertThat(cipher.encrypt("instance-webhook-key")).as("fresh nonce each time").isNotEqualTo(stored);
    }

    @Test
    void rowsWrittenBeforeEncryptionStillRead() {
        assertThat(cipher.decrypt("legacy-plain-key")).isEqualTo("legacy-plain-key");
        assertThat(cipher.decrypt(null)).isNull();
    }

    @Test
    void anotherKeyOrATamperedValueIsRefused() {
        String stored = cipher.encrypt("secret");
        SecretCipher other = new SecretCipher("another-secrets-key-of-32-bytes!".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> other.decrypt(stored)).hasMessageContaining("SECRETS_KEY");
        assertThatThrownBy(() -> cipher.decrypt(stored.substring(0, stored.length() - 4) + "AAAA")).isInstanceOf(IllegalStateException.class);
    }
}
