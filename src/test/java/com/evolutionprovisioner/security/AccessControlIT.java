package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.testsupport.Api.Reply;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import com.evolutionprovisioner.testsupport.Users;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Users see only their own data; administration is for the service role; bad tokens prove nothing, nor do tokens of
 * another issuer or audience; anonymous sign-ins and other roles cannot sign up or provision.
 */
class AccessControlIT extends DeployedServiceTest {

    @Test
    void aUserCannotReadOrActForAnotherUser() {
        UUID ana = users.signUpNew();
        UUID bo = users.signUpNew();

        Reply actForBo = api.post("/api/instances", env.tokens().user(ana), "{\"userId\":\"" + bo + "\"}");
        Reply profileForBo = api.post("/api/profiles", env.tokens().user(ana), "{\"userId\":\"" + bo + "\",\"email\":\"x@y.z\"}");
        Reply nobody = api.post("/api/instances", env.tokens().user(ana), "{\"userId\":\"" + UUID.randomUUID() + "\"}");

        assertThat(actForBo.status()).isEqualTo(404);
        assertThat(profileForBo.status()).isEqualTo(404);
        assertThat(actForBo.body()).isEqualTo(nobody.body()).doesNotContain(bo.toString());
        assertThat(api.get("/api/instances/me", env.tokens().user(ana)).json().getString("userId")).isEqualTo(ana.toString());
    }

    @Test
    void administrationIsForTheServiceRoleOnly() {
        UUID user = users.signUpNew();
        String userToken = env.tokens().user(user);

        assertThat(api.get("/api/admin/stats", userToken).status()).isEqualTo(403);
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
