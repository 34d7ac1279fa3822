package com.evolutionprovisioner.security;

import com.evolutionprovisioner.platform.Settings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The settings a deployment must never run with: no or a public secret, tokens without issuer and audience, webhook
 * deliveries in clear text. Each refusal is one line that names the variable to set; warnings are what an operator
 * chose knowingly. Outside development mode (set by command 1 only) every rule applies.
 */
public final class DeploymentReview {

    private static final int MIN_SECRET_BYTES = 32;

    /** What the review found: any refusal stops the deployment. */
    public record Findings(List<String> refusals, List<String> warnings) {
    }

    private final Settings settings;
    private final boolean development;
    private final List<String> refusals = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private DeploymentReview(Settings settings) {
        this.settings = settings;
        this.development = settings.developmentMode();
    }

    public static Findings of(Settings settings) {
        DeploymentReview review = new DeploymentReview(settings);
        review.tokens(TokenSettings.read(settings));
        review.secretsKey();
        review.evolutionApiKey();
        review.publicBaseUrl();
        if (review.development) {
            review.warnings.add("DEVELOPMENT_MODE=true: PUBLIC_BASE_URL may be http and tokens need no issuer or "
                    + "audience; never set it outside a developer's machine");
        }
        return new Findings(List.copyOf(review.refusals), List.copyOf(review.warnings));
    }

    private void tokens(TokenSettings tokens) {
        if (tokens.hs256Enabled()) {
            jwtSecret(tokens.secret());
            if (tokens.jwksUrl() != null) {
                warnings.add("JWT_HS256_ENABLED=true with JWT_JWKS_URL set: tokens signed with JWT_SECRET are still "
                        + "accepted; switch it off once every client uses the asymmetric keys");
            }
        } else if (tokens.jwksUrl() == null) {
            refusals.add("JWT_JWKS_URL is not set and JWT_HS256_ENABLED=false: no token could ever be verified");
        }
        requiredClaim("JWT_ISSUER", tokens.issuer(), "jwt.issuer.check", "JWT_ISSUER_CHECK",
                "the tokens' iss, e.g. https://<project>.supabase.co/auth/v1");
        requiredClaim("JWT_AUDIENCE", tokens.audience(), "jwt.audience.check", "JWT_AUDIENCE_CHECK",
                "the tokens' aud, \"authenticated\" on Supabase");
    }

    private void jwtSecret(String secret) {
        if (secret == null) {
            refusals.add("JWT_SECRET is not set: set your project's JWT secret (at least " + MIN_SECRET_BYTES
                    + " bytes), or use JWT_JWKS_URL alone");
        } else if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            refusals.add("JWT_SECRET is shorter than " + MIN_SECRET_BYTES + " bytes: anyone could guess it");
        } else if (KnownDevelopmentSecrets.isKnownJwtSecret(secret)) {
            refusals.add("JWT_SECRET is a published development value: anyone could sign an administrator's token "
                    + "with it; set your project's own secret");
        }
    }

    /** Outside development a token must name its issuer and audience, unless the operator opts out explicitly. */
    private void requiredClaim(String variable, String value, String checkKey, String checkVariable, String what) {
        if (development || value != null) {
            return;
        }
        if (settings.flag(checkKey, true)) {
            refusals.add(variable + " is not set: set it to " + what + ", or " + checkVariable
                    + "=false to accept tokens of any " + (variable.endsWith("ISSUER") ? "issuer" : "audience"));
        } else {
            warnings.add(checkVariable + "=false: tokens are accepted whatever their "
                    + (variable.endsWith("ISSUER") ? "iss" : "aud"));
        }
    }

    private void secretsKey() {
        Optional<String> encoded = settings.text("secrets.key");
        if (encoded.isEmpty()) {
            refusals.add("SECRETS_KEY is not set: set it to base64 of 32 random bytes (openssl rand -base64 32) and "
                    + "keep it with the database backups");
            return;
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded.get().trim());
        } catch (IllegalArgumentException notBase64) {
            refusals.add("SECRETS_KEY is not base64: set it to base64 of 32 random bytes (openssl rand -base64 32)");
            return;
        }
        if (key.length != 32) {
            refusals.add("SECRETS_KEY must be base64 of exactly 32 bytes, it decodes to " + key.length
                    + ": openssl rand -base64 32");
        } else if (KnownDevelopmentSecrets.isKnownSecretsKey(key)) {
            refusals.add("SECRETS_KEY is a published development value: anyone could decrypt the stored instance "
                    + "keys with it; set base64 of 32 random bytes (openssl rand -base64 32)");
        }
    }

    private void evolutionApiKey() {
        if (settings.text("evolution.api.key").isEmpty()) {
            refusals.add("EVOLUTION_API_KEY is not set: set Evolution API's global apikey");
        }
    }

    /** Evolution sends each delivery's token to this address: outside development only https keeps it secret. */
    private void publicBaseUrl() {
        String url = settings.text("public.base.url").orElse("");
        if (development || isHttps(url)) {
            return;
        }
        if (settings.flag("allow.insecure.webhook.url", false)) {
            warnings.add("ALLOW_INSECURE_WEBHOOK_URL=true: PUBLIC_BASE_URL is " + url + ", so webhook deliveries and "
                    + "their tokens travel in clear text; use it on a private network only");
        } else {
            refusals.add("PUBLIC_BASE_URL must be an https:// URL (it is \"" + url + "\"): Evolution sends webhook "
                    + "delivery tokens to it; ALLOW_INSECURE_WEBHOOK_URL=true allows http on a private network");
        }
    }

    private static boolean isHttps(String url) {
        try {
            URI uri = URI.create(url);
            return "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null;
        } catch (IllegalArgumentException notAUri) {
            return false;
        }
    }
}
