package com.evolutionprovisioner.security;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.testsupport.Api.Reply;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.LegacySecretFormat;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import com.evolutionprovisioner.testsupport.Users;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Users see only their own data; administration is for the service role; bad tokens prove nothing, nor do tokens of
 * another issuer or audience; anonymous sign-ins and other roles cannot sign up or provision; stored secrets are
 * readable only under our keys and only where they were written.
 */
class AccessControlIT extends DeployedServiceTest {

    @Test
    void aUserCannotReadOrActForAnotherUser() {
        UUID ana = users.signUpNew();
        UUID bo = users.signUpNew();

        Reply actForBo = api.post("/api/instances", env.tokens().user(ana), "{\"userId\":\"" + bo + "\"}");
        Reply profileForBo = api.post("/api/profiles", env.tokens().user(ana), "{\"userId\":\"" + bo + "\",\"email\":\"x@y.z\"}");
        Reply nobody = api.post("/api/instances", env.tokens().user(ana), "{\"userId\":\"" + UUID.randomUUID() + "\"}");
        Reply readBo = api.get("/api/instances/" + bo, env.tokens().user(ana));
        Reply readNobody = api.get("/api/instances/" + UUID.randomUUID(), env.tokens().user(ana));

        assertThat(actForBo.status()).isEqualTo(404);
        assertThat(profileForBo.status()).isEqualTo(404);
        assertThat(actForBo.body()).isEqualTo(nobody.body()).doesNotContain(bo.toString());
        assertThat(readBo.status()).isEqualTo(404);
        assertThat(readBo.body()).isEqualTo(readNobody.body()).doesNotContain(bo.toString());
        assertThat(api.get("/api/instances/me", env.tokens().user(ana)).json().getString("userId")).isEqualTo(ana.toString());
        assertThat(api.get("/api/instances/" + ana, env.tokens().user(ana)).json().getString("userId")).isEqualTo(ana.toString());
    }

    @Test
    void administrationIsForTheServiceRoleOnly() {
        UUID user = users.signUpNew();
        String userToken = env.tokens().user(user);

        assertThat(api.get("/api/admin/stats", userToken).status()).isEqualTo(403);
        assertThat(api.get("/api/admin/health", userToken).status()).isEqualTo(403);
        assertThat(api.get("/api/admin/health", null).status()).isEqualTo(401);
        assertThat(api.post("/api/admin/queue/requeue-failed", userToken, "").status()).isEqualTo(403);
        assertThat(api.get("/api/admin/stats", env.tokens().serviceRole()).status()).isEqualTo(200);
        assertThat(api.get("/api/admin/queue?status=completed", env.tokens().serviceRole()).status()).isEqualTo(200);
    }

    @Test
    void expiredUnsignedAndForeignTokensAreRejected() {
        UUID user = UUID.randomUUID();
        String expired = env.tokens().sign(user.toString(), "authenticated", Duration.ofMinutes(-1));
        String unsigned = new PlainJWT(new JWTClaimsSet.Builder().subject(user.toString()).claim("role", "service_role")
                .issuer(TestEnvironment.JWT_ISSUER).audience(TestEnvironment.JWT_AUDIENCE)
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build()).serialize();
        String foreign = env.tokens().signedWith("someone-elses-secret-0123456789abcdefgh").user(user);
        // The secret every copy of this repository used to fall back on: it mints nothing now.
        String published = env.tokens().signedWith("dev-only-jwt-secret-change-me-0123456789abcdef").serviceRole();

        for (String token : List.of(expired, unsigned, foreign, published)) {
            Reply reply = api.get("/api/admin/stats", token);
            assertThat(reply.status()).as(token).isEqualTo(401);
            assertThat(reply.json().getString("error")).isEqualTo("unauthorized");
        }
    }

    @Test
    void aTokenIsAcceptedOnlyWithTheConfiguredIssuerAndAudience() {
        UUID user = users.signUpNew();
        String issuer = TestEnvironment.JWT_ISSUER;
        String audience = TestEnvironment.JWT_AUDIENCE;

        Reply accepted = api.get("/api/profiles/me", env.tokens().user(user));
        Map<String, Integer> refused = new LinkedHashMap<>();
        refused.put("other issuer", api.get("/api/profiles/me",
                env.tokens().claiming("https://another-project.supabase.co/auth/v1", audience).user(user)).status());
        refused.put("other audience", api.get("/api/profiles/me", env.tokens().claiming(issuer, "anon").user(user)).status());
        refused.put("no issuer", api.get("/api/profiles/me", env.tokens().claiming(null, audience).user(user)).status());
        refused.put("no audience", api.get("/api/profiles/me", env.tokens().claiming(issuer, null).user(user)).status());

        assertThat(accepted.status()).isEqualTo(200);
        assertThat(accepted.json().getString("id")).isEqualTo(user.toString());
        assertThat(refused).containsOnly(Map.entry("other issuer", 401), Map.entry("other audience", 401),
                Map.entry("no issuer", 401), Map.entry("no audience", 401));
    }

    @Test
    void anonymousSignInsAndOtherRolesCannotSignUpOrProvision() throws Exception {
        UUID anonymous = UUID.randomUUID();
        UUID anonRole = UUID.randomUUID();
        String anonymousToken = env.tokens().anonymousUser(anonymous);
        String anonRoleToken = env.tokens().sign(anonRole.toString(), "anon", Duration.ofMinutes(5));
        String body = "{\"email\":\"x@example.com\",\"fullName\":\"X\"}";

        Reply anonymousSignup = api.post("/api/profiles", anonymousToken, body);
        Reply anonymousProvisioning = api.post("/api/instances", anonymousToken, "{}");
        Reply anonRoleSignup = api.post("/api/profiles", anonRoleToken, body);
        Reply anonRoleProvisioning = api.post("/api/instances", anonRoleToken, "{}");
        Reply forAnonymousByTheServiceRole = api.post("/api/profiles", env.tokens().serviceRole(),
                "{\"userId\":\"" + anonRole + "\",\"email\":\"x@example.com\"}");

        assertThat(anonymousSignup.status()).isEqualTo(403);
        assertThat(anonymousSignup.json().getString("error")).isEqualTo("anonymous_user");
        assertThat(anonymousProvisioning.status()).isEqualTo(403);
        assertThat(anonymousProvisioning.json().getString("error")).isEqualTo("anonymous_user");
        assertThat(anonRoleSignup.status()).isEqualTo(403);
        assertThat(anonRoleSignup.json().getString("error")).isEqualTo("role_not_allowed");
        assertThat(anonRoleProvisioning.status()).isEqualTo(403);
        assertThat(Database.count("SELECT count(*) FROM profiles WHERE id = ?", anonymous)).isZero();
        // The rules are for user tokens: the service role still signs up whoever it names.
        assertThat(forAnonymousByTheServiceRole.status()).isEqualTo(201);
    }

    @Test
    void rowLevelSecurityShowsDatabaseClientsOnlyTheirOwnQueueRows() throws Exception {
        UUID ana = users.signUpNew();
        UUID bo = users.signUpNew();
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("DO $$ BEGIN CREATE ROLE rls_client NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
            sql.execute("GRANT SELECT ON evolution_instance_creation_queue TO rls_client");
            connection.setAutoCommit(false);
            sql.execute("SET LOCAL ROLE rls_client");

            sql.execute("SELECT set_config('request.jwt.claims', '{\"sub\":\"" + ana + "\",\"role\":\"authenticated\"}', true)");
            List<String> seenByAna = userIds(sql);
            sql.execute("SELECT set_config('request.jwt.claims', '{\"role\":\"service_role\"}', true)");
            List<String> seenByService = userIds(sql);
            connection.rollback();

            assertThat(seenByAna).containsExactly(ana.toString());
            assertThat(seenByService).contains(ana.toString(), bo.toString());
        }
    }

    /**
     * The service runs with SECRETS_KEY and, as after a key rotation, SECRETS_KEY_PREVIOUS. Rows written before the
     * rotation (under the previous key), before key ids (v1) and before encryption (plain) are readable; the
     * re-encryption rewrites them under SECRETS_KEY for their row; afterwards a value moved from another row, or an
     * unencrypted one, is refused — and rotating the instance's webhook key is how an operator recovers.
     */
    @Test
    void storedSecretsAreReencryptedUnderTheCurrentKeyAndOnlyReadWhereTheyWereWritten() throws Exception {
        // A database that has never been re-encrypted (other test classes share it).
        Database.update("DELETE FROM secret_reencryptions");
        UUID ana = users.signUpNew();
        UUID bo = users.signUpNew();
        users.awaitStatus(ana, "completed");
        users.awaitStatus(bo, "completed");
        String anasKey = Database.instanceSecret("webhook_key", ana);
        String anasToken = Database.instanceSecret("instance_token", ana);
        String bosKey = Database.instanceSecret("webhook_key", bo);
        byte[] previousKey = Base64.getDecoder().decode(TestEnvironment.SECRETS_KEY_PREVIOUS);
        setSecret(ana, "webhook_key", anasKey);
        setSecret(ana, "instance_token", LegacySecretFormat.version1(previousKey, anasToken));
        setSecret(bo, "webhook_key", new SecretCipher(previousKey, null, () -> false).encrypt(bosKey,
                EvolutionInstance.secretLocation(new UserId(bo), "webhook_key")));

        assertThat(deliveryStatus(ana)).as("plain, before any re-encryption").isEqualTo(200);
        assertThat(deliveryStatus(bo)).as("under SECRETS_KEY_PREVIOUS").isEqualTo(200);
        assertThat(api.post("/api/admin/secrets/re-encrypt", env.tokens().user(ana), "").status()).isEqualTo(403);

        Reply reencrypted = api.post("/api/admin/secrets/re-encrypt", env.tokens().serviceRole(), "");

        String underSecretsKey = "v2:" + Database.secrets().keyId() + ":";
        assertThat(reencrypted.status()).as(reencrypted.body()).isEqualTo(200);
        JsonObject report = reencrypted.json();
        assertThat(report.getJsonNumber("rewritten").longValue()).as(report.toString()).isEqualTo(3);
        assertThat(report.getJsonNumber("failed").longValue()).as(report.toString()).isZero();
        assertThat(report.getJsonNumber("alreadyCurrent").longValue()).as(report.toString()).isPositive();
        assertThat(report.getString("keyId")).isEqualTo(Database.secrets().keyId());
        for (String[] secret : new String[][] {{"webhook_key", ana.toString(), anasKey},
                {"instance_token", ana.toString(), anasToken}, {"webhook_key", bo.toString(), bosKey}}) {
            UUID user = UUID.fromString(secret[1]);
            assertThat(storedSecret(user, secret[0])).as(secret[0]).startsWith(underSecretsKey).doesNotContain(secret[2]);
            assertThat(Database.instanceSecret(secret[0], user)).isEqualTo(secret[2]);
        }
        assertThat(deliveryStatus(ana)).isEqualTo(200);
        assertThat(deliveryStatus(bo)).isEqualTo(200);
        JsonObject again = api.post("/api/admin/secrets/re-encrypt", env.tokens().serviceRole(), "").json();
        assertThat(again.getJsonNumber("rewritten").longValue()).as(again.toString()).isZero();
        assertThat(again.getJsonNumber("failed").longValue()).as(again.toString()).isZero();

        String bosStored = storedSecret(bo, "webhook_key");
        setSecret(bo, "webhook_key", storedSecret(ana, "webhook_key"));
        assertThat(deliveryStatus(bo)).as("Ana's key copied into Bo's row").isEqualTo(503);
        setSecret(bo, "webhook_key", storedSecret(ana, "instance_token"));
        assertThat(deliveryStatus(bo)).as("a value copied from another column").isEqualTo(503);
        setSecret(bo, "webhook_key", bosStored);
        assertThat(deliveryStatus(bo)).isEqualTo(200);

        setSecret(ana, "webhook_key", anasKey);
        assertThat(deliveryStatus(ana)).as("plain, after the re-encryption, though it is the right key").isEqualTo(503);
        assertThat(api.post("/api/admin/instances/" + ana + "/rotate-webhook-key", env.tokens().serviceRole(), "").status())
                .isEqualTo(200);
        String rotated = Database.instanceSecret("webhook_key", ana);
        assertThat(rotated).isNotEqualTo(anasKey);
        assertThat(storedSecret(ana, "previous_webhook_key")).as("no grace for a key nobody could read").isNull();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(simulator.webhookOf(instanceNameOf(ana))
                .orElseThrow().getJsonObject("headers").getString("jwt_key")).isEqualTo(rotated));
        users.awaitStatus(ana, "completed");
        assertThat(deliveryStatus(ana)).isEqualTo(200);
    }

    private int deliveryStatus(UUID user) {
        return simulator.deliver(instanceNameOf(user), "connection.update",
                Json.createObjectBuilder().add("state", "open").build()).status();
    }

    private static String storedSecret(UUID user, String column) throws Exception {
        return (String) Database.row("SELECT " + column + " FROM evolution_instances WHERE user_id = ?", user)
                .orElseThrow().get(column);
    }

    private static void setSecret(UUID user, String column, String stored) throws Exception {
        assertThat(Database.update("UPDATE evolution_instances SET " + column + " = ? WHERE user_id = ?", stored, user))
                .isEqualTo(1);
    }

    private static List<String> userIds(Statement sql) throws Exception {
        List<String> ids = new ArrayList<>();
        try (ResultSet rows = sql.executeQuery("SELECT user_id FROM evolution_instance_creation_queue")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }
}
