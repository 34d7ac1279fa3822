package com.evolutionprovisioner.security;

import com.evolutionprovisioner.platform.Settings;
import java.util.Optional;

/**
 * How callers' tokens are verified: HS256 with JWT_SECRET, RS256/ES256 with the keys of JWT_JWKS_URL, or both; and
 * the {@code iss}/{@code aud} they must carry. HS256 is on by default only without a JWKS: once a project has moved to
 * asymmetric keys, a leaked legacy secret must not still mint tokens.
 *
 * @param secret       JWT_SECRET, or null
 * @param jwksUrl      JWT_JWKS_URL, or null
 * @param hs256Enabled JWT_HS256_ENABLED, by default true exactly when no JWKS is set
 * @param issuer       JWT_ISSUER, checked when set, or null
 * @param audience     JWT_AUDIENCE, checked when set, or null
 */
public record TokenSettings(String secret, String jwksUrl, boolean hs256Enabled, String issuer, String audience) {

    public static TokenSettings read(Settings settings) {
        Optional<String> jwks = settings.text("jwt.jwks.url");
        return new TokenSettings(settings.text("jwt.secret").orElse(null), jwks.orElse(null),
                settings.flag("jwt.hs256.enabled", jwks.isEmpty()),
                settings.text("jwt.issuer").orElse(null), settings.text("jwt.audience").orElse(null));
    }
}
