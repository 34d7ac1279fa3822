package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.testsupport.LegacySecretFormat;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SecretCipherTest {

    private static final byte[] KEY = "unit-test-secrets-key-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OLD_KEY = "previous-secrets-key-of-32-bytes".getBytes(StandardCharsets.UTF_8);
    /** {@code printf %s 'unit-test-secrets-key-32-bytes!!' | sha256sum | cut -c1-8} */
    private static final String KEY_ID = "115b4f45";
    private static final String SECRET = "instance-webhook-key";

    private final SecretCipher cipher = new SecretCipher(KEY, null, () -> false);
    private final SecretLocation anasKey = location("webhook_key", "6f1c1e2a-0000-4000-8000-000000000001");

    @Test
    void aSecretReadsBackFromAValueThatCarriesTheKeyId() {
        String stored = cipher.encrypt(SECRET, anasKey);

        assertThat(stored).startsWith("v2:" + KEY_ID + ":").doesNotContain(SECRET);
        assertThat(cipher.decrypt(stored, anasKey)).isEqualTo(SECRET);
        assertThat(cipher.encrypt(SECRET, anasKey)).as("fresh nonce each time").isNotEqualTo(stored);
        assertThat(cipher.keyId()).isEqualTo(KEY_ID).isEqualTo(SecretCipher.keyIdOf(KEY));
        assertThat(SecretCipher.keyIdOf(OLD_KEY)).isNotEqualTo(KEY_ID).hasSize(8);
        assertThat(cipher.isCurrent(stored)).isTrue();
    }

    @Test
    void thePreviousKeyDecryptsButNeverEncrypts() {
        SecretCipher before = new SecretCipher(OLD_KEY, null, () -> false);
        SecretCipher rotating = new SecretCipher(KEY, OLD_KEY, () -> false);
        String writtenBefore = before.encrypt(SECRET, anasKey);

        assertThat(rotating.decrypt(writtenBefore, anasKey)).isEqualTo(SECRET);
        assertThat(rotating.isCurrent(writtenBefore)).isFalse();
        assertThat(rotating.encrypt(SECRET, anasKey)).startsWith("v2:" + KEY_ID + ":");
        String rewritten = rotating.reencrypt(writtenBefore, anasKey);
        assertThat(rewritten).startsWith("v2:" + KEY_ID + ":");
        assertThat(cipher.decrypt(rewritten, anasKey)).as("readable without the previous key").isEqualTo(SECRET);
    }

    @Test
    void aValueUnderAKeyNoLongerConfiguredIsRefusedNamingTheKeyIdsAndTheRow() {
        String writtenBefore = new SecretCipher(OLD_KEY, null, () -> false).encrypt(SECRET, anasKey);

        assertThatThrownBy(() -> cipher.decrypt(writtenBefore, anasKey))
                .isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("evolution_instances.webhook_key of the row user_id = " + anasKey.rowKey())
                .hasMessageContaining("key id '" + SecretCipher.keyIdOf(OLD_KEY) + "'")
                .hasMessageContaining("SECRETS_KEY is key id " + KEY_ID)
                .hasMessageContaining("SECRETS_KEY_PREVIOUS is not set")
                .message().doesNotContain(SECRET).doesNotContain(writtenBefore.substring(12));
    }

    @Test
    void aValueMovedToAnotherRowOrColumnDoesNotDecrypt() {
        String stored = cipher.encrypt(SECRET, anasKey);
        SecretLocation bosKey = location("webhook_key", "6f1c1e2a-0000-4000-8000-000000000002");
        SecretLocation anasToken = location("instance_token", anasKey.rowKey());
        SecretLocation anasKeyInAnotherTable = new SecretLocation("profiles", "webhook_key", "user_id", anasKey.rowKey());

        for (SecretLocation elsewhere : new SecretLocation[] {bosKey, anasToken, anasKeyInAnotherTable}) {
            assertThatThrownBy(() -> cipher.decrypt(stored, elsewhere))
                    .as(elsewhere.toString())
                    .isInstanceOf(UnreadableSecretException.class)
                    .hasMessageContaining("Cannot read " + elsewhere)
                    .hasMessageContaining("copied here from another row or column")
                    .message().doesNotContain(SECRET);
        }
        assertThatThrownBy(() -> cipher.reencrypt(stored, bosKey)).isInstanceOf(UnreadableSecretException.class);
    }

    @Test
    void tamperedValuesAreRefused() {
        String stored = cipher.encrypt(SECRET, anasKey);
        byte[] packed = Base64.getDecoder().decode(stored.substring(stored.lastIndexOf(':') + 1));
        packed[packed.length / 2] ^= 1;
        String flippedBit = "v2:" + KEY_ID + ":" + Base64.getEncoder().encodeToString(packed);

        assertThatThrownBy(() -> cipher.decrypt(flippedBit, anasKey)).isInstanceOf(UnreadableSecretException.class);
        assertThatThrownBy(() -> cipher.decrypt(stored.replace(KEY_ID, "00000000"), anasKey))
                .hasMessageContaining("key id '00000000'");
        assertThatThrownBy(() -> cipher.decrypt("v2:" + KEY_ID + ":not*base64", anasKey)).hasMessageContaining("base64");
        assertThatThrownBy(() -> cipher.decrypt("v2:" + KEY_ID + ":AAAA", anasKey)).isInstanceOf(UnreadableSecretException.class);
        assertThatThrownBy(() -> cipher.decrypt("v1:" + Base64.getEncoder().encodeToString(packed), anasKey))
                .isInstanceOf(UnreadableSecretException.class);
    }

    @Test
    void v1ValuesStayReadableUnderEitherKeyUntilReencrypted() {
        String v1UnderCurrent = LegacySecretFormat.version1(KEY, SECRET);
        String v1UnderOld = LegacySecretFormat.version1(OLD_KEY, SECRET);
        SecretCipher rotating = new SecretCipher(KEY, OLD_KEY, () -> true);

        assertThat(rotating.decrypt(v1UnderCurrent, anasKey)).isEqualTo(SECRET);
        assertThat(rotating.decrypt(v1UnderOld, location("instance_token", "any row: v1 has no additional data"))).isEqualTo(SECRET);
        assertThat(rotating.isCurrent(v1UnderCurrent)).isFalse();
        assertThat(rotating.reencrypt(v1UnderOld, anasKey)).startsWith("v2:" + KEY_ID + ":");
        assertThatThrownBy(() -> cipher.decrypt(v1UnderOld, anasKey))
                .isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("v1 value")
                .hasMessageContaining("SECRETS_KEY_PREVIOUS");
    }

    @Test
    void unencryptedValuesAreReadUntilAReencryptionHasCompletedThenRefused() {
        AtomicInteger asked = new AtomicInteger();
        boolean[] completed = {false};
        SecretCipher secrets = new SecretCipher(KEY, null, () -> {
            asked.incrementAndGet();
            return completed[0];
        });
        String encrypted = secrets.encrypt(SECRET, anasKey);

        assertThat(secrets.decrypt("legacy-plain-key", anasKey)).isEqualTo("legacy-plain-key");
        assertThat(secrets.decrypt(null, anasKey)).isNull();
        assertThat(secrets.reencrypt("legacy-plain-key", anasKey)).startsWith("v2:" + KEY_ID + ":");
        completed[0] = true;
        assertThatThrownBy(() -> secrets.decrypt("planted-key", anasKey))
                .isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("Refusing " + anasKey)
                .hasMessageContaining("not encrypted")
                .message().doesNotContain("planted-key");
        assertThatThrownBy(() -> secrets.reencrypt("planted-key", anasKey)).isInstanceOf(UnreadableSecretException.class);
        int askedForPlainValues = asked.get();
        assertThat(secrets.decrypt(encrypted, anasKey)).isEqualTo(SECRET);
        assertThat(asked.get()).as("encrypted values never ask").isEqualTo(askedForPlainValues).isEqualTo(4);
    }

    @Test
    void aReencryptionPassCountsRewrittenCurrentAndUnreadableValuesAndKeepsWhatItCannotRead() {
        SecretCipher rotating = new SecretCipher(KEY, OLD_KEY, () -> false);
        SecretReencryption pass = new SecretReencryption(rotating);
        String current = rotating.encrypt(SECRET, anasKey);
        String moved = rotating.encrypt(SECRET, location("webhook_key", "someone-else"));

        String fromOld = pass.reencrypt(new SecretCipher(OLD_KEY, null, () -> false).encrypt(SECRET, anasKey), anasKey);
        String fromPlain = pass.reencrypt("legacy-plain-key", anasKey);
        String stillCurrent = pass.reencrypt(current, anasKey);
        String leftAlone = pass.reencrypt(moved, anasKey);
        String none = pass.reencrypt(null, anasKey);

        assertThat(rotating.decrypt(fromOld, anasKey)).isEqualTo(SECRET);
        assertThat(rotating.decrypt(fromPlain, anasKey)).isEqualTo("legacy-plain-key");
        assertThat(fromPlain).startsWith("v2:" + KEY_ID + ":");
        assertThat(stillCurrent).isSameAs(current);
        assertThat(leftAlone).isSameAs(moved);
        assertThat(none).isNull();
        ReencryptionReport report = pass.report();
        assertThat(report.getRewritten()).isEqualTo(2);
        assertThat(report.getAlreadyCurrent()).isEqualTo(1);
        assertThat(report.getFailed()).isEqualTo(1);
        assertThat(report.getKeyId()).isEqualTo(KEY_ID);
    }

    @Test
    void keysOfAnotherLengthAreRefusedNamingTheVariable() {
        assertThatThrownBy(() -> new SecretCipher(new byte[16], null, () -> false)).hasMessageContaining("SECRETS_KEY must be 32 bytes");
        assertThatThrownBy(() -> new SecretCipher(KEY, new byte[31], () -> false)).hasMessageContaining("SECRETS_KEY_PREVIOUS must be 32 bytes");
    }

    private static SecretLocation location(String column, String userId) {
        return new SecretLocation("evolution_instances", column, "user_id", userId);
    }
}
