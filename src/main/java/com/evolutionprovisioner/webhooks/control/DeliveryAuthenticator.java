package com.evolutionprovisioner.webhooks.control;

import com.evolutionprovisioner.evolution.entity.WebhookSettings;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
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
 */
@ApplicationScoped
public class DeliveryAuthenticator {

    private static final String BEARER = "Bearer ";
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

    /**
     * Returns null when the delivery is authentic, otherwise why it is not (for the log, never the client).
     *
     * @throws UnreadableSecretException when the instance's stored key cannot be read: nothing can be verified
     */
    public String rejectionReason(EvolutionInstance instance, Credentials credentials) {
        List<String> keys = acceptedKeys(instance);
        if (instance.getWebhookAuth() == WebhookAuth.STATIC) {
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

    private List<String> acceptedKeys(EvolutionInstance instance) {
        List<String> keys = new ArrayList<>(List.of(instance.webhookKey(secrets)));
        OffsetDateTime rotatedAt = instance.getWebhookKeyRotatedAt();
        if (rotatedAt != null && rotatedAt.toInstant().plus(rotationGrace()).isAfter(Instant.now())) {
            String previous = instance.previousWebhookKey(secrets);
            if (previous != null) {
                keys.add(previous);
            }
        }
        return keys;
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
            Date issuedAt = token.getJWTClaimsSet().getIssueTime();
            if (issuedAt == null) {
                return "token without iat";
            }
            Instant now = Instant.now();
            if (issuedAt.toInstant().isAfter(now.plus(clockSkew))) {
                return "token issued in the future (iat " + issuedAt.toInstant() + ")";
            }
            if (issuedAt.toInstant().isBefore(now.minus(tokenMaxAge))) {
                return "token older than " + tokenMaxAge.toMinutes() + " minutes (iat " + issuedAt.toInstant() + ")";
            }
            return null;
        } catch (ParseException | JOSEException | ClassCastException e) {
            return "malformed token";
        }
    }
}
