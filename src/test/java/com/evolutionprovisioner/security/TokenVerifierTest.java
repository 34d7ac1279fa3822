package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.devstack.DevTokens;
import com.evolutionprovisioner.platform.Settings;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

    private static final String SECRET = "unit-test-secret-0123456789abcdef0123456789";
    private final DevTokens tokens = new DevTokens(SECRET);
    private final UUID user = UUID.randomUUID();
    private final AtomicReference<JWKSet> published = new AtomicReference<>();
    private HttpServer jwks;

    @BeforeEach
    void publishJwks() throws Exception {
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
    }

    @AfterEach
    void stopJwks() {
        jwks.stop(0);
    }

    @Test
    void acceptsAnHs256UserToken() {
        Caller caller = verifier(false).verify(tokens.user(user));

        assertThat(caller.userId()).isEqualTo(new UserId(user));
        assertThat(caller.isServiceRole()).isFalse();
    }

    @Test
    void recognisesTheServiceRole() {
        assertThat(verifier(false).verify(tokens.serviceRole()).isServiceRole()).isTrue();
    }

    @Test
    void rejectsExpiredWronglySignedUnsignedAndMalformedTokens() {
        TokenVerifier verifier = verifier(false);
        String expired = tokens.sign(user.toString(), "authenticated", Duration.ofMinutes(-5));
        String otherSecret = new DevTokens("another-secret-0123456789abcdef0123456789").user(user);
        String unsigned = new PlainJWT(new JWTClaimsSet.Builder().subject(user.toString())
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build()).serialize();

        for (String token : new String[] {expired, otherSecret, unsigned, "garbage", ""}) {
            assertThatThrownBy(() -> verifier.verify(token)).as(token).isInstanceOf(TokenVerifier.InvalidTokenException.class);
        }
    }

    @Test
    void acceptsRs256AndEs256TokensFromTheJwks() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        published.set(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())));
        TokenVerifier verifier = verifier(true);

        SignedJWT rsaToken = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), claims());
        rsaToken.sign(new RSASSASigner(rsa));
        SignedJWT ecToken = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), claims());
        ecToken.sign(new ECDSASigner(ec));

        assertThat(verifier.verify(rsaToken.serialize()).userId()).isEqualTo(new UserId(user));
        assertThat(verifier.verify(ecToken.serialize()).userId()).isEqualTo(new UserId(user));
    }

    @Test
    void refetchesTheJwksWhenATokenNamesANewKey() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("first").generate();
        RSAKey rotated = new RSAKeyGenerator(2048).keyID("rotated").generate();
        published.set(new JWKSet(first.toPublicJWK()));
        TokenVerifier verifier = verifier(true);
        assertThat(verifier.verify(rsaToken(first)).userId()).isEqualTo(new UserId(user));

        published.set(new JWKSet(List.of(first.toPublicJWK(), rotated.toPublicJWK())));

        assertThat(verifier.verify(rsaToken(rotated)).userId()).isEqualTo(new UserId(user));
    }

    @Test
    void rejectsAnAsymmetricTokenSignedByAnUnpublishedKey() throws Exception {
        published.set(new JWKSet(new RSAKeyGenerator(2048).keyID("published").generate().toPublicJWK()));
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("published").generate();

        assertThatThrownBy(() -> verifier(true).verify(rsaToken(stranger)))
                .isInstanceOf(TokenVerifier.InvalidTokenException.class);
    }

    @Test
    void acceptsATokenWithTheConfiguredIssuerAndAudienceAndRejectsAnyOther() {
        String issuer = "https://project.supabase.co/auth/v1";
        TokenVerifier verifier = verifier(Map.of("jwt.issuer", issuer, "jwt.audience", "authenticated"));
        DevTokens matching = new DevTokens(SECRET, issuer, "authenticated");

        assertThat(verifier.verify(matching.user(user)).userId()).isEqualTo(new UserId(user));
        for (DevTokens other : List.of(matching.claiming("https://other.supabase.co/auth/v1", "authenticated"),
                matching.claiming(issuer, "anon"), matching.claiming(null, "authenticated"), matching.claiming(issuer, null))) {
            assertThatThrownBy(() -> verifier.verify(other.user(user))).isInstanceOf(TokenVerifier.InvalidTokenException.class);
        }
    }

    @Test
    void refusesHs256OnceAJwksIsSetUnlessItIsEnabledExplicitly() throws Exception {
        published.set(new JWKSet(new RSAKeyGenerator(2048).keyID("rsa-1").generate().toPublicJWK()));
        String jwksUrl = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json";

        TokenVerifier jwksOnly = verifier(Map.of("jwt.jwks.url", jwksUrl));
        TokenVerifier both = verifier(Map.of("jwt.jwks.url", jwksUrl, "jwt.hs256.enabled", "true"));

        assertThatThrownBy(() -> jwksOnly.verify(tokens.serviceRole())).isInstanceOf(TokenVerifier.InvalidTokenException.class);
        assertThat(both.verify(tokens.serviceRole()).isServiceRole()).isTrue();
    }

    @Test
    void readsAnAnonymousSignInFromItsClaim() {
        TokenVerifier verifier = verifier(false);

        assertThat(verifier.verify(tokens.anonymousUser(user)).anonymous()).isTrue();
        assertThat(verifier.verify(tokens.user(user)).anonymous()).isFalse();
    }

    private String rsaToken(RSAKey key) throws Exception {
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims());
        token.sign(new RSASSASigner(key));
        return token.serialize();
    }

    private JWTClaimsSet claims() {
        return new JWTClaimsSet.Builder().subject(user.toString()).claim("role", "authenticated")
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build();
    }

    private TokenVerifier verifier(boolean withJwks) {
        return verifier(withJwks ? Map.of("jwt.jwks.url", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json")
                : Map.of());
    }

    /** A verifier configured as the service reads its settings, with JWT_SECRET set. */
    private TokenVerifier verifier(Map<String, String> settings) {
        Map<String, String> withSecret = new HashMap<>(settings);
        withSecret.put("jwt.secret", SECRET);
        TokenVerifier verifier = new TokenVerifier();
        verifier.configure(TokenSettings.read(Settings.of(withSecret)));
        return verifier;
    }
}
