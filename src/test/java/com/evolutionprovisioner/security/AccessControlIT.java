package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.testsupport.Api.Reply;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Users see only their own data; administration is for the service role; bad tokens prove nothing. */
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
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build()).serialize();
        String foreign = new com.evolutionprovisioner.devstack.DevTokens("someone-elses-secret-0123456789abcdefgh").user(user);

        for (String token : List.of(expired, unsigned, foreign)) {
            Reply reply = api.get("/api/instances/me", token);
            assertThat(reply.status()).as(token).isEqualTo(401);
            assertThat(reply.json().getString("error")).isEqualTo("unauthorized");
        }
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
