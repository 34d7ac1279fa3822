package com.evolutionprovisioner.testsupport;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Tokens shaped like the ones Evolution signs with an instance's jwt_key: {iat, exp = iat + 600, app, action}. */
public final class EvolutionSignatures {

    private EvolutionSignatures() {
    }

    /** A token as Evolution makes it when it first emits an event: issued now, expiring in 10 minutes. */
    public static String freshDeliveryToken(String key) {
        return deliveryToken(key, Duration.ZERO);
    }

    /** The token of an event Evolution first emitted {@code age} ago: its retries still carry it, unchanged. */
    public static String deliveryToken(String key, Duration age) {
        try {
            Instant issuedAt = Instant.now().minus(age);
            SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                    .issueTime(Date.from(issuedAt))
                    .expirationTime(Date.from(issuedAt.plus(Duration.ofMinutes(10))))
                    .claim("app", "evolution")
                    .claim("action", "webhook")
                    .build());
            token.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
            return token.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
