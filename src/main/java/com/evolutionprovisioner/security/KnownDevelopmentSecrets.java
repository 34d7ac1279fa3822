package com.evolutionprovisioner.security;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Secrets anyone can read — in this repository's history or in widely copied examples — and so never acceptable for
 * a running service: the one list the start-up review checks JWT_SECRET and SECRETS_KEY against.
 */
public final class KnownDevelopmentSecrets {

    private static final List<String> JWT_SECRETS = List.of(
            "dev-only-jwt-secret-change-me-0123456789abcdef",          // the WAR's default until issue 11
            "integration-test-jwt-secret-0123456789abcdef",            // the test suite's, until issue 11
            "benchmark-jwt-secret-0123456789abcdef0123",               // the benchmarks', until issue 11
            "super-secret-jwt-token-with-at-least-32-characters-long"  // Supabase's local development stack
    );

    /** Base64 as published; compared after decoding, so that another spelling of the same bytes is caught too. */
    private static final List<String> SECRETS_KEYS = List.of(
            "ZGV2LW9ubHktc2VjcmV0cy1rZXktMzItYnl0ZXMhISE=",            // the WAR's default until issue 11
            "aW50ZWdyYXRpb24tdGVzdC1zZWNyZXRzLWtleS0zMkI=",            // the test suite's, until issue 11
            "YmVuY2htYXJrLXNlY3JldHMta2V5LTMyLWJ5dGVzISE="             // the benchmarks', until issue 11
    );

    private KnownDevelopmentSecrets() {
    }

    public static boolean isKnownJwtSecret(String secret) {
        return secret != null && JWT_SECRETS.contains(secret.trim());
    }

    public static boolean isKnownSecretsKey(byte[] key) {
        return SECRETS_KEYS.stream().anyMatch(known -> Arrays.equals(Base64.getDecoder().decode(known), key));
    }
}
