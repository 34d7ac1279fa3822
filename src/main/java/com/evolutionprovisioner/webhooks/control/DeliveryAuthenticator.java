package com.evolutionprovisioner.webhooks.control;

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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Checks that a delivery comes from Evolution for the instance it names. With {@link WebhookAuth#JWT} Evolution signs
 * each delivery with an HS256 token made with the instance's {@code jwt_key} (valid 10 minutes; the token names no
 * instance, so the key is the one of the instance in the payload). With {@link WebhookAuth#STATIC} the instance's
 * secret header must match, compared in constant time. After a key rotation the previous key is accepted for
 * {@link #ROTATION_GRACE} so that deliveries already under way are not lost.
 */
@ApplicationScoped
public class DeliveryAuthenticator {

    private static final String BEARER = "Bearer ";
    /** Tolerated clock difference between Evolution's server and ours. */
    private static final long CLOCK_SKEW_MILLIS = 60_000;
    static final Duration ROTATION_GRACE = Duration.ofMinutes(15);

    @Inject
    SecretCipher secrets;

    /**
     * Returns null when the delivery is authentic, otherwise why it is not (for the log, never the client).
     *
     * @throws UnreadableSecretException when the instance's stored key cannot be read: nothing can be verified
     */
    public String rejectionReason(EvolutionInstance instance, String authorization, String staticSecret) {
        List<String> keys = acceptedKeys(instance);
        return instance.getWebhookAuth() == WebhookAuth.STATIC
                ? staticSecretRejection(keys, staticSecret)
                : tokenRejection(keys, authorization);
    }

    private List<String> acceptedKeys(EvolutionInstance instance) {
        List<String> keys = new ArrayList<>(List.of(instance.webhookKey(secrets)));
        OffsetDateTime rotatedAt = instance.getWebhookKeyRotatedAt();
        if (rotatedAt != null && rotatedAt.plus(ROTATION_GRACE).isAfter(OffsetDateTime.now())) {
            String previous = instance.previousWebhookKey(secrets);
            if (previous != null) {
                keys.add(previous);
            }
        }
        return keys;
    }

    private static String staticSecretRejection(List<String> keys, String presented) {
        if (presented == null) {
            return "no " + WebhookAuth.STATIC_SECRET_HEADER + " header";
        }
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        boolean matches = false;
        for (String key : keys) {
            matches |= MessageDigest.isEqual(given, key.getBytes(StandardCharsets.UTF_8));
        }
        return matches ? null : "static secret does not match the instance's";
    }

    private static String tokenRejection(List<String> keys, String authorization) {
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
            Date expiry = token.getJWTClaimsSet().getExpirationTime();
            if (expiry == null || expiry.getTime() + CLOCK_SKEW_MILLIS < System.currentTimeMillis()) {
                return "token expired or without expiry";
            }
            return null;
        } catch (ParseException | JOSEException | ClassCastException e) {
            return "malformed token: " + e.getMessage();
        }
    }
}
