package com.evolutionprovisioner.devstack;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Mints Supabase-style HS256 tokens ({@code sub}, {@code role}, {@code exp}, and {@code iss}/{@code aud} when the
 * service checks them) for development and tests.
 */
public final class DevTokens {

    private final String secret;
    private final String issuer;
    private final String audience;

    /** Tokens without iss and aud: for a service in development mode that does not require them. */
    public DevTokens(String secret) {
        this(secret, null, null);
    }

    public DevTokens(String secret, String issuer, String audience) {
        this.secret = secret;
        this.issuer = issuer;
        this.audience = audience;
    }

    /** The same claims signed with another secret: what a forger who does not know ours produces. */
    public DevTokens signedWith(String otherSecret) {
        return new DevTokens(otherSecret, issuer, audience);
    }

    /** The same secret with other iss and aud (null leaves the claim out). */
    public DevTokens claiming(String otherIssuer, String otherAudience) {
        return new DevTokens(secret, otherIssuer, otherAudience);
    }

    public String user(UUID userId) {
        return sign(userId.toString(), "authenticated", Duration.ofHours(24));
    }

    /** A Supabase anonymous sign-in: role authenticated, {@code is_anonymous: true}. */
    public String anonymousUser(UUID userId) {
        return sign(userId.toString(), "authenticated", Duration.ofHours(24), true);
    }

    public String serviceRole() {
        return sign(null, "service_role", Duration.ofHours(24));
    }

    public String sign(String subject, String role, Duration validFor) {
        return sign(subject, role, validFor, false);
    }

    private String sign(String subject, String role, Duration validFor, boolean anonymous) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(validFor)))
                .claim("role", role);
        if (subject != null) {
            claims.subject(subject);
        }
        if (issuer != null) {
            claims.issuer(issuer);
        }
        if (audience != null) {
            claims.audience(audience);
        }
        if (anonymous) {
            claims.claim("is_anonymous", true);
        }
        try {
            SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            token.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return token.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
