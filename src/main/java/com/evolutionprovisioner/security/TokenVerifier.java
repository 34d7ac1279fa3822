package com.evolutionprovisioner.security;

import com.evolutionprovisioner.platform.Settings;
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
import java.util.List;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.Config;

/**
 * Verifies bearer tokens the way Supabase issues them: HS256 signed with the project's JWT secret, or RS256/ES256
 * signed with a key published in a JWKS (keys cached, and re-fetched when a token names an unknown {@code kid}), as
 * {@link TokenSettings} allows. Unsigned ({@code alg: none}), expired, wrongly signed, malformed tokens, HS256 tokens
 * when HS256 is off, and tokens without the configured issuer or audience are rejected.
 */
@ApplicationScoped
public class TokenVerifier {

    @Inject
    Config config;

    private DefaultJWTProcessor<SecurityContext> processor;

    @PostConstruct
    void init() {
        configure(TokenSettings.read(Settings.of(config)));
    }

    /** Sets verification up; the start-up review has already refused settings that cannot work. */
    void configure(TokenSettings settings) {
        if (settings.hs256Enabled()
                && (settings.secret() == null || settings.secret().getBytes(StandardCharsets.UTF_8).length < 32)) {
            throw new IllegalStateException("JWT_SECRET must be at least 32 bytes for HS256");
        }
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(keySelector(settings));
        processor.setJWTClaimsSetVerifier(claimsVerifier(settings));
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
        return new Caller(UserId.parseOrNull(claims.getSubject()), role == null ? null : role.toString(),
                "true".equals(String.valueOf(claims.getClaim("is_anonymous"))));
    }

    private static JWSKeySelector<SecurityContext> keySelector(TokenSettings settings) {
        List<Key> hmacKeys = settings.hs256Enabled()
                ? List.of(new SecretKeySpec(settings.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
                : List.of();
        JWSKeySelector<SecurityContext> jwksSelector = settings.jwksUrl() == null ? null : jwksSelector(settings.jwksUrl());
        return (JWSHeader header, SecurityContext context) -> {
            if (JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
                return hmacKeys;
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

    private static DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier(TokenSettings settings) {
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (settings.issuer() != null) {
            exact.issuer(settings.issuer());
        }
        return new DefaultJWTClaimsVerifier<>(settings.audience(), exact.build(), Set.of("exp"));
    }

    /** A token that proves nothing; the message is for logs, never for the client. */
    public static class InvalidTokenException extends RuntimeException {
        public InvalidTokenException(String message) {
            super(message);
        }
    }
}
