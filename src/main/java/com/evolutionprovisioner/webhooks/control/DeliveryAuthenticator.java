package com.evolutionprovisioner.webhooks.control;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Date;

/**
 * Checks that a delivery comes from Evolution for the instance it names: Evolution signs each delivery with an
 * HS256 token made with the instance's {@code jwt_key} (valid 10 minutes); the token names no instance, so the key
 * is the one of the instance in the payload.
 */
@ApplicationScoped
public class DeliveryAuthenticator {

    private static final String BEARER = "Bearer ";
    /** Tolerated clock difference between Evolution's server and ours. */
    private static final long CLOCK_SKEW_MILLIS = 60_000;

    /** Returns null when the delivery is authentic, otherwise why it is not (for the log, never the client). */
    public String rejectionReason(String authorization, String webhookKey) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return "no bearer token";
        }
        try {
            SignedJWT token = SignedJWT.parse(authorization.substring(BEARER.length()).trim());
            if (!JWSAlgorithm.HS256.equals(token.getHeader().getAlgorithm())) {
                return "token algorithm " + token.getHeader().getAlgorithm() + " instead of HS256";
            }
            if (!token.verify(new MACVerifier(webhookKey.getBytes(StandardCharsets.UTF_8)))) {
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
