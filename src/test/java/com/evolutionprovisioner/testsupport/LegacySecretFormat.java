package com.evolutionprovisioner.testsupport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Stored secrets as releases before key ids wrote them, for tests of what the service still reads. */
public final class LegacySecretFormat {

    private static final SecureRandom RANDOM = new SecureRandom();

    private LegacySecretFormat() {
    }

    /** {@code v1:} + base64(nonce ‖ ciphertext ‖ tag): AES-256-GCM without key id or additional data. */
    public static String version1(byte[] key, String plain) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            byte[] sealed = aes.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return "v1:" + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
