package com.evolutionprovisioner.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the secrets we must be able to read back (an instance's webhook key, to verify Evolution's signatures;
 * its Evolution token) with AES-256-GCM, so that a database dump alone does not hand them out.
 * <p>
 * Stored form: {@code v2:<key id>:} + base64(12-byte nonce ‖ ciphertext ‖ tag), encrypted under SECRETS_KEY with
 * the value's {@link SecretLocation} as additional authenticated data: a value copied to another row or column does
 * not decrypt. The key id (first 8 hex digits of SHA-256 of the key) says which key wrote it; SECRETS_KEY_PREVIOUS
 * is only ever used to read. Still read: {@code v1:} values (no key id, no additional data) under either key, and,
 * until the first complete re-encryption, unprefixed values as plain text.
 */
public final class SecretCipher {

    private static final String VERSION_1 = "v1:";
    private static final String VERSION_2 = "v2:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String WHAT_TO_DO = " (docs/deploy.md, \"When a value cannot be read\").";

    private final Key current;
    private final Key previous;
    private final BooleanSupplier plainValuesRefused;

    /**
     * @param currentKey         SECRETS_KEY, 32 bytes: encrypts and decrypts
     * @param previousKey        SECRETS_KEY_PREVIOUS, 32 bytes, or null: decrypts only
     * @param plainValuesRefused whether unprefixed values are refused (asked only when one is met)
     */
    public SecretCipher(byte[] currentKey, byte[] previousKey, BooleanSupplier plainValuesRefused) {
        this.current = new Key("SECRETS_KEY", currentKey);
        this.previous = previousKey == null ? null : new Key("SECRETS_KEY_PREVIOUS", previousKey);
        this.plainValuesRefused = plainValuesRefused;
    }

    /** The id of a key as it appears in stored values: the first 8 hex digits of SHA-256(key). */
    public static String keyIdOf(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The id of SECRETS_KEY, the key new values are written with. */
    public String keyId() {
        return current.id;
    }

    public String encrypt(String plain, SecretLocation location) {
        if (plain == null) {
            return null;
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, current.spec, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(location.additionalData());
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return VERSION_2 + current.id + ":" + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot encrypt " + location, e);
        }
    }

    /**
     * The plain text of a stored value.
     *
     * @throws UnreadableSecretException when no configured key decrypts it for this location, or it is an
     *                                   unencrypted value and those are refused; the message names the location,
     *                                   never the value
     */
    public String decrypt(String stored, SecretLocation location) {
        if (stored == null) {
            return null;
        }
        if (stored.startsWith(VERSION_2)) {
            return decryptVersion2(stored, location);
        }
        if (stored.startsWith(VERSION_1)) {
            return decryptVersion1(stored, location);
        }
        if (plainValuesRefused.getAsBoolean()) {
            throw new UnreadableSecretException("Refusing " + location + ": it is not encrypted, and unencrypted "
                    + "values are refused since all secrets were re-encrypted, so it was written to the database "
                    + "behind the service's back. Replace the secret through the service" + WHAT_TO_DO);
        }
        return stored;
    }

    /** Whether a stored value is already in the current form: v2 under SECRETS_KEY (not whether it decrypts). */
    public boolean isCurrent(String stored) {
        return stored != null && stored.startsWith(VERSION_2 + current.id + ":");
    }

    /**
     * The value to store at this location now: {@code stored} itself when it is current and decrypts, otherwise
     * its plain text encrypted under SECRETS_KEY for this location.
     *
     * @throws UnreadableSecretException as {@link #decrypt}
     */
    public String reencrypt(String stored, SecretLocation location) {
        String plain = decrypt(stored, location);
        return isCurrent(stored) ? stored : encrypt(plain, location);
    }

    private String decryptVersion2(String stored, SecretLocation location) {
        int idEnd = stored.indexOf(':', VERSION_2.length());
        String keyId = idEnd < 0 ? "" : stored.substring(VERSION_2.length(), idEnd);
        List<Key> candidates = keys().stream().filter(key -> key.id.equals(keyId)).toList();
        if (candidates.isEmpty()) {
            throw new UnreadableSecretException("Cannot read " + location + ": it was encrypted under key id '" + keyId
                    + "', but " + configuredKeys() + ". Set SECRETS_KEY_PREVIOUS to the key it was written with"
                    + WHAT_TO_DO);
        }
        byte[] packed = base64(stored.substring(idEnd + 1), location);
        for (Key key : candidates) {
            byte[] plain = open(key, packed, location.additionalData());
            if (plain != null) {
                return new String(plain, StandardCharsets.UTF_8);
            }
        }
        throw new UnreadableSecretException("Cannot read " + location + ": it does not authenticate under key id "
                + keyId + " for this row and column, so it was altered or copied here from another row or column. "
                + "Restore the row's value from a backup, or replace the secret through the service" + WHAT_TO_DO);
    }

    private String decryptVersion1(String stored, SecretLocation location) {
        byte[] packed = base64(stored.substring(VERSION_1.length()), location);
        for (Key key : keys()) {
            byte[] plain = open(key, packed, null);
            if (plain != null) {
                return new String(plain, StandardCharsets.UTF_8);
            }
        }
        throw new UnreadableSecretException("Cannot read " + location + ": a v1 value (no key id) that "
                + configuredKeys() + " cannot decrypt; it was written under another key, or altered. Set SECRETS_KEY_PREVIOUS to the key "
                + "it was written with" + WHAT_TO_DO);
    }

    /** The plain bytes, or null when this key and additional data do not authenticate the value. */
    private static byte[] open(Key key, byte[] packed, byte[] additionalData) {
        if (packed.length < NONCE_BYTES + TAG_BITS / 8) {
            return null;
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.spec, new GCMParameterSpec(TAG_BITS, packed, 0, NONCE_BYTES));
            if (additionalData != null) {
                cipher.updateAAD(additionalData);
            }
            return cipher.doFinal(packed, NONCE_BYTES, packed.length - NONCE_BYTES);
        } catch (GeneralSecurityException notThisKey) {
            return null;
        }
    }

    private static byte[] base64(String text, SecretLocation location) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new UnreadableSecretException("Cannot read " + location + ": its value is not valid base64.");
        }
    }

    private List<Key> keys() {
        List<Key> keys = new ArrayList<>(List.of(current));
        if (previous != null) {
            keys.add(previous);
        }
        return keys;
    }

    private String configuredKeys() {
        return "SECRETS_KEY is key id " + current.id + " and SECRETS_KEY_PREVIOUS is "
                + (previous == null ? "not set" : "key id " + previous.id);
    }

    /** A configured AES-256 key with its id; {@code variable} names it in errors. */
    private static final class Key {
        final String id;
        final SecretKeySpec spec;

        Key(String variable, byte[] bytes) {
            if (bytes.length != 32) {
                throw new IllegalArgumentException(
                        variable + " must be 32 bytes, base64-encoded (is " + bytes.length + " bytes)");
            }
            this.id = keyIdOf(bytes);
            this.spec = new SecretKeySpec(bytes, "AES");
        }
    }
}
