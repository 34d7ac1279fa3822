package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.platform.Settings;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each unsafe setting is refused with one line naming its variable; a safe production set passes untouched. */
class DeploymentReviewTest {

    private static final String JWT_SECRET = "a-project-jwt-secret-of-more-than-32-bytes";
    private static final String SECRETS_KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    @Test
    void aCompleteProductionSetPasses() {
        DeploymentReview.Findings findings = review(production());

        assertThat(findings.refusals()).isEmpty();
        assertThat(findings.warnings()).isEmpty();
    }

    @Test
    void aMissingJwtSecretIsRefused() {
        assertRefusedOnly(without("jwt.secret"), "JWT_SECRET is not set");
    }

    @Test
    void aShortOrPublishedJwtSecretIsRefused() {
        assertRefusedOnly(with("jwt.secret", "only-31-bytes-long-secret-abcde"), "JWT_SECRET is shorter than 32 bytes");
        assertRefusedOnly(with("jwt.secret", "dev-only-jwt-secret-change-me-0123456789abcdef"), "JWT_SECRET is a published development value");
        assertRefusedOnly(with("jwt.secret", "super-secret-jwt-token-with-at-least-32-characters-long"),
                "JWT_SECRET is a published development value");
    }

    @Test
    void aJwksOnlyDeploymentNeedsNoJwtSecret() {
        Map<String, String> settings = without("jwt.secret");
        settings.put("jwt.jwks.url", "https://project.supabase.co/auth/v1/.well-known/jwks.json");

        assertThat(review(settings).refusals()).isEmpty();
    }

    @Test
    void hs256KeptBesideAJwksIsAWarningAndNoKeyAtAllARefusal() {
        Map<String, String> both = with("jwt.jwks.url", "https://project.supabase.co/auth/v1/.well-known/jwks.json");
        both.put("jwt.hs256.enabled", "true");
        Map<String, String> neither = with("jwt.hs256.enabled", "false");

        assertThat(review(both).refusals()).isEmpty();
        assertThat(review(both).warnings()).singleElement().asString().startsWith("JWT_HS256_ENABLED=true with JWT_JWKS_URL");
        assertRefusedOnly(neither, "JWT_JWKS_URL is not set and JWT_HS256_ENABLED=false");
    }

    @Test
    void aMissingMalformedOrPublishedSecretsKeyIsRefused() {
        assertRefusedOnly(without("secrets.key"), "SECRETS_KEY is not set");
        assertRefusedOnly(with("secrets.key", "not base64!"), "SECRETS_KEY is not base64");
        assertRefusedOnly(with("secrets.key", Base64.getEncoder().encodeToString(new byte[16])),
                "SECRETS_KEY must be base64 of exactly 32 bytes, it decodes to 16");
        assertRefusedOnly(with("secrets.key", "ZGV2LW9ubHktc2VjcmV0cy1rZXktMzItYnl0ZXMhISE="), "SECRETS_KEY is a published development value");
        // The same bytes spelled without padding are the same key.
        assertRefusedOnly(with("secrets.key", "ZGV2LW9ubHktc2VjcmV0cy1rZXktMzItYnl0ZXMhISE"), "SECRETS_KEY is a published development value");
    }

    @Test
    void aMissingEvolutionApiKeyIsRefused() {
        assertRefusedOnly(without("evolution.api.key"), "EVOLUTION_API_KEY is not set");
    }

    @Test
    void issuerAndAudienceAreRequiredOutsideDevelopmentUnlessSwitchedOff() {
        assertRefusedOnly(without("jwt.issuer"), "JWT_ISSUER is not set");
        assertRefusedOnly(without("jwt.audience"), "JWT_AUDIENCE is not set");

        Map<String, String> switchedOff = without("jwt.issuer");
        switchedOff.put("jwt.issuer.check", "false");
        assertThat(review(switchedOff).refusals()).isEmpty();
        assertThat(review(switchedOff).warnings()).singleElement().asString().startsWith("JWT_ISSUER_CHECK=false");
    }

    @Test
    void anHttpPublicBaseUrlIsRefusedOutsideDevelopmentAndAllowedWithAWarning() {
        assertRefusedOnly(with("public.base.url", "http://provisioner.example.com"), "PUBLIC_BASE_URL must be an https:// URL");
        assertRefusedOnly(without("public.base.url"), "PUBLIC_BASE_URL must be an https:// URL");

        Map<String, String> allowed = with("public.base.url", "http://10.0.0.5:8080");
        allowed.put("allow.insecure.webhook.url", "true");
        assertThat(review(allowed).refusals()).isEmpty();
        assertThat(review(allowed).warnings()).singleElement().asString()
                .startsWith("ALLOW_INSECURE_WEBHOOK_URL=true: PUBLIC_BASE_URL is http://10.0.0.5:8080");
    }

    @Test
    void developmentModeRelaxesTransportAndClaimsButNeverSecrets() {
        Map<String, String> development = new HashMap<>(Map.of("development.mode", "true", "jwt.secret", JWT_SECRET,
                "secrets.key", SECRETS_KEY, "evolution.api.key", "dev-evolution-key", "public.base.url", "http://127.0.0.1:8080"));
        Map<String, String> developmentOnAPublishedKey = new HashMap<>(development);
        developmentOnAPublishedKey.put("secrets.key", "ZGV2LW9ubHktc2VjcmV0cy1rZXktMzItYnl0ZXMhISE=");

        assertThat(review(development).refusals()).isEmpty();
        assertThat(review(development).warnings()).singleElement().asString().startsWith("DEVELOPMENT_MODE=true");
        assertThat(review(developmentOnAPublishedKey).refusals()).singleElement().asString()
                .startsWith("SECRETS_KEY is a published development value");
    }

    @Test
    void noLineRepeatsASecret() {
        Map<String, String> settings = with("jwt.secret", "short-secret-value");
        settings.put("secrets.key", "c2hvcnQ=");

        assertThat(String.join("\n", review(settings).refusals())).doesNotContain("short-secret-value", "c2hvcnQ=");
    }

    private static void assertRefusedOnly(Map<String, String> settings, String refusal) {
        assertThat(review(settings).refusals()).as(settings.toString()).singleElement().asString().startsWith(refusal);
    }

    private static DeploymentReview.Findings review(Map<String, String> settings) {
        return DeploymentReview.of(Settings.of(settings));
    }

    private static Map<String, String> production() {
        return new HashMap<>(Map.of(
                "jwt.secret", JWT_SECRET,
                "jwt.issuer", "https://project.supabase.co/auth/v1",
                "jwt.audience", "authenticated",
                "secrets.key", SECRETS_KEY,
                "evolution.api.key", "evolution-global-key",
                "public.base.url", "https://provisioner.example.com"));
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> settings = production();
        settings.put(key, value);
        return settings;
    }

    private static Map<String, String> without(String key) {
        Map<String, String> settings = production();
        settings.remove(key);
        return settings;
    }
}
