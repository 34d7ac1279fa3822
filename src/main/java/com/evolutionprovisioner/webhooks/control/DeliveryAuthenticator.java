package com.evolutionprovisioner.webhooks.control;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UnreadableSecretException;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks that a delivery comes from Evolution for the instance it names.
 *
 * <p>With {@link WebhookAuth#JWT} Evolution signs each event once with the instance's {@code jwt_key} (HS256, the
 * token names no instance, so the key is the one of the instance in the payload) and sends that same token on every
 * retry, for up to ~25 minutes. So the rule is the token's age, not its {@code exp}: a correctly signed token is
 * accepted while its {@code iat} is at most {@code WEBHOOK_TOKEN_MAX_AGE} old and not more than the clock skew in the
 * future. Servers older than {@code jwt_key} send the header itself: its value is compared like a static secret.
 * With {@link WebhookAuth#STATIC} the instance's secret header must match, compared in constant time. After a key
 * rotation the previous key is accepted for as long as a token signed with it can still be retried.
 *
 * <p>The keys are read and decrypted once per instance and kept for {@code WEBHOOK_KEY_CACHE_TTL} (bounded to
 * {@link #MAX_CACHED_INSTANCES}): one database read per instance per TTL instead of one per delivery. A delivery the
 * cached keys reject is checked again against the row just read, so a new key or mode (rotation, a repair that
 * changes the key) is accepted at its first delivery, on every node. The only staleness left is that a replaced key
 * stays accepted for up to the TTL, well inside the rotation grace during which it is accepted anyway.
 */
@ApplicationScoped
public class DeliveryAuthenticator {

    private static final String BEARER = "Bearer ";
    static final int MAX_CACHED_INSTANCES = 10_000;

    @Inject
    InstanceRegistry instances;

    /** How long an instance's decrypted keys are used without reading its row again. */
    @Inject
    @ConfigProperty(name = "webhook.key.cache.ttl")
    Duration keyCacheTtl;

    private final Map<String, InstanceKeys> cache = new ConcurrentHashMap<>();
    @Inject
    @ConfigProperty(name = "webhook.token.max.age")
    Duration tokenMaxAge;

    /** Tolerated clock difference between Evolution's server and ours. */
    @Inject
    @ConfigProperty(name = "webhook.clock.skew")
    Duration clockSkew;

    @Inject
    SecretCipher secrets;

    /** The headers a delivery may authenticate with. */
    public record Credentials(String authorization, String staticSecret, String rawJwtKey) {
    }

    /** What a delivery is checked against: the instance's mode and keys, decrypted, and until when they hold. */
    record InstanceKeys(WebhookAuth auth, String key, String previousKey, Instant previousKeyValidUntil, Instant readAt) {

        static InstanceKeys of(EvolutionInstance instance, SecretCipher secrets, Duration rotationGrace) {
            OffsetDateTime rotatedAt = instance.getWebhookKeyRotatedAt();
            Instant previousValidUntil = rotatedAt == null ? Instant.MIN : rotatedAt.toInstant().plus(rotationGrace);
            String previous = previousValidUntil.isAfter(Instant.now()) ? instance.previousWebhookKey(secrets) : null;
            return new InstanceKeys(instance.getWebhookAuth(), instance.webhookKey(secrets), previous, previousValidUntil,
                    Instant.now());
        }

        List<String> accepted() {
            return previous() == null ? List.of(key) : List.of(key, previousKey);
        }

        private String previous() {
            return previousKey != null && previousKeyValidUntil.isAfter(Instant.now()) ? previousKey : null;
        }
    }

    /**
     * Returns null when the delivery is authentic for the instance it names, otherwise why it is not (for the log,
     * never the client; an unknown instance is "unknown instance").
     *
     * @throws UnreadableSecretException when the instance's stored key cannot be read: nothing can be verified
     */
    public String rejectionReason(String instanceName, Credentials credentials) {
        InstanceKeys cached = cache.get(instanceName);
        if (cached != null && cached.readAt().plus(keyCacheTtl).isAfter(Instant.now())
                && rejectionReason(cached, credentials) == null) {
            return null;
        }
        Optional<EvolutionInstance> instance = instanceNamed(instanceName);
        if (instance.isEmpty()) {
            cache.remove(instanceName);
            return "unknown instance";
        }
        InstanceKeys keys = InstanceKeys.of(instance.get(), secrets, rotationGrace());
        remember(instanceName, keys);
        return rejectionReason(keys, credentials);
    }

    /**
     * Returns null when the delivery is authentic, otherwise why it is not (for the log, never the client).
     *
     * @throws UnreadableSecretException when the instance's stored key cannot be read: nothing can be verified
     */
    public String rejectionReason(EvolutionInstance instance, Credentials credentials) {
        return rejectionReason(InstanceKeys.of(instance, secrets, rotationGrace()), credentials);
    }

    private String rejectionReason(InstanceKeys instance, Credentials credentials) {
        List<String> keys = instance.accepted();
        if (instance.auth() == WebhookAuth.STATIC) {
            return secretRejection(keys, credentials.staticSecret(), WebhookAuth.STATIC_SECRET_HEADER);
        }
        if (credentials.authorization() == null && credentials.rawJwtKey() != null) {
            return secretRejection(keys, credentials.rawJwtKey(), WebhookSettings.JWT_KEY_HEADER);
        }
        return tokenRejection(keys, credentials.authorization());
    }

    /** How long after a rotation the previous key stays valid: as long as a delivery signed with it is retried. */
    Duration rotationGrace() {
        return tokenMaxAge;
    }

    private Optional<EvolutionInstance> instanceNamed(String name) {
        try {
            return instances.findByName(new InstanceName(name));
        } catch (IllegalArgumentException unusableName) {
            return Optional.empty();
        }
    }

    /** Bounded: when full, expired entries go first, and if that is not enough, all of them. */
    private void remember(String instanceName, InstanceKeys keys) {
        if (cache.size() >= MAX_CACHED_INSTANCES && !cache.containsKey(instanceName)) {
            Instant expired = Instant.now().minus(keyCacheTtl);
            cache.values().removeIf(entry -> entry.readAt().isBefore(expired));
            if (cache.size() >= MAX_CACHED_INSTANCES) {
                cache.clear();
            }
        }
        cache.put(instanceName, keys);
    }

    private static String secretRejection(List<String> keys, String presented, String header) {
        if (presented == null) {
            return "no " + header + " header";
        }
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        boolean matches = false;
        for (String key : keys) {
            matches |= MessageDigest.isEqual(given, key.getBytes(StandardCharsets.UTF_8));
        }
        return matches ? null : header + " does not match the instance's key";
    }

    private String tokenRejection(List<String> keys, String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return "no bearer token";
        }
        try {
            SignedJWT token = SignedJWT.parse(authorization.substring(BEARER.length()).trim());
            if (!JWSAlgorithm.HS256.equals(token.getHeader().getAlgorithm())) {
                return "token algorithm " + token.getHeader().getAlgorithm() + " instead of HS256";
            }
            boolean signed = false;
            for (String key : keys) {
                signed |= token.verify(new MACVerifier(key.getBytes(StandardCharsets.UTF_8)));
            }
            if (!signed) {
                return "token signature does not match the instance's key";
            }
            Instant issuedAt = issuedAt(token);
            if (issuedAt == null) {
                return "token without iat";
            }
            Instant now = Instant.now();
            if (issuedAt.isAfter(now.plus(clockSkew))) {
                return "token issued in the future (iat " + issuedAt + ")";
            }
            if (issuedAt.isBefore(now.minus(tokenMaxAge))) {
                return "token older than " + tokenMaxAge.toMinutes() + " minutes (iat " + issuedAt + ")";
            }
            return null;
        } catch (ParseException | JOSEException | ClassCastException | IllegalArgumentException | JsonException e) {
            return "malformed token";
        }
    }

    /**
     * The {@code iat} claim (seconds), read from the signed payload with the JDK's decoder: Nimbus' claims set decodes
     * through a constant-time Base64 that was half of the verification's CPU, for data that is not secret.
     */
    private static Instant issuedAt(SignedJWT token) {
        byte[] claims = Base64.getUrlDecoder().decode(token.getParsedParts()[1].toString());
        try (JsonReader reader = JSON.createReader(new ByteArrayInputStream(claims))) {
            return reader.readObject().get("iat") instanceof JsonNumber seconds
                    ? Instant.ofEpochSecond(seconds.longValue()) : null;
        }
    }
}
