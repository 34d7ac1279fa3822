package com.evolutionprovisioner.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Verifies bearer tokens the way Supabase issues them: HS256 signed with the project's JWT secret, or RS256/ES256
 * signed with a key published in a JWKS (keys cached, and re-fetched when a token names an unknown {@code kid}).
 * Unsigned ({@code alg: none}), expired, wrongly signed or malformed tokens are rejected.
 */
@ApplicationScoped
public class TokenVerifier {

    @Inject
    @ConfigProperty(name = "jwt.secret")
    String secret;

    @Inject
    @ConfigProperty(name = "jwt.jwks.url")
    Optional<String> jwksUrl;

    @Inject
    @ConfigProperty(name = "jwt.issuer")
    Optional<String> issuer;

    @Inject
    @ConfigProperty(name = "jwt.audience")
    Optional<String> audience;

    private DefaultJWTProcessor<SecurityContext> processor;

    @PostConstruct
    void init() {
        if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalStateException("JWT_SECRET must be at least 32 bytes for HS256");
        }
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(keySelector());
        processor.setJWTClaimsSetVerifier(claimsVerifier());
    }

    /** The caller the token proves, or an {@link InvalidTokenException} saying why it proves nothing. */
    public Caller verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new InvalidTokenException(e.getMessage());
        }
        Object role = claims.getClaim("role");
        return new Caller(UserId.parseOrNull(claims.getSubject()), role == null ? null : role.toString());
    }

    private JWSKeySelector<SecurityContext> keySelector() {
        Key hmacKey = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        JWSKeySelector<SecurityContext> jwksSelector = jwksUrl.filter(url -> !url.isBlank())
                .map(TokenVerifier::jwksSelector)
                .orElse(null);
        return (JWSHeader header, SecurityContext context) -> {
            if (JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
                return List.of(hmacKey);
            }
            if (jwksSelector != null) {
                return jwksSelector.selectJWSKeys(header, context);
            }
            return List.of();
        };
    }

    private static JWSKeySelector<SecurityContext> jwksSelector(String url) {
        try {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.create(URI.create(url).toURL())
                    .retrying(true)
                    .build();
            return new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys);
        } catch (MalformedURLException e) {
            throw new IllegalStateException("JWT_JWKS_URL is not a URL: " + url, e);
        }
    }

    private DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier() {
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        issuer.filter(value -> !value.isBlank()).ifPresent(exact::issuer);
        Set<String> required = new HashSet<>(Set.of("exp"));
        return new DefaultJWTClaimsVerifier<>(audience.filter(value -> !value.isBlank()).orElse(null),
                exact.build(), required);
    }

    /** A token that proves nothing; the message is for logs, never for the client. */
    public static class InvalidTokenException extends RuntimeException {
        public InvalidTokenException(String message) {
            super(message);
        }
    }
}
