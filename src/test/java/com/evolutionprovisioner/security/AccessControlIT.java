package com.evolutionprovisioner.security;

import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.testsupport.LegacySecretFormat;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.Base64;
import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.devstack.EmbeddedPostgresServer;
import com.evolutionprovisioner.testsupport.Api.Reply;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DatabaseRoles;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Users see only their own data; administration is for the service role; bad tokens prove nothing, nor do tokens of
 * another issuer or audience; anonymous sign-ins and other roles cannot sign up or provision; stored secrets are
 * readable only under our keys and only where they were written. In the database the service holds only its own
 * rows' rights, and PostgREST's roles see what the policies of V40 allow them.
 */
class AccessControlIT extends DeployedServiceTest {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

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
    void theServiceConnectsAsTheApplicationRoleAlone() throws Exception {
        users.awaitStatus(users.signUpNew(), "completed");

        // As the superuser: only it sees who holds the other sessions.
        try (Connection superuser = env.postgres().connectAsSuperuser(EmbeddedPostgresServer.DATABASE);
             Statement sql = superuser.createStatement()) {
            assertThat(strings(sql, """
                    SELECT DISTINCT usename FROM pg_stat_activity
                     WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()"""))
                    .containsExactly(EmbeddedPostgresServer.APP_USER);
            assertThat(strings(sql, """
                    SELECT concat_ws(',', rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
                                     pg_has_role(rolname, 'evolution_provisioner_app', 'MEMBER'),
                                     (SELECT count(*) FROM pg_class WHERE relowner = r.oid))
                      FROM pg_roles r WHERE rolname = '%s'""".formatted(EmbeddedPostgresServer.APP_USER)))
                    .as("superuser, bypassrls, createrole, createdb, member of the group, relations owned")
                    .containsExactly("f,f,f,f,t,0");
        }
    }

    @Test
    void theApplicationRoleMayChangeRowsButNotTheSchema() throws Exception {
        for (String change : List.of(
                "CREATE TABLE probe (id integer)",
                "CREATE SCHEMA probe",
                "ALTER TABLE profiles ADD COLUMN probe text",
                "ALTER TABLE evolution_instances DISABLE ROW LEVEL SECURITY",
                "CREATE POLICY probe ON profiles USING (true)",
                "DROP TABLE evolution_messages",
                "DROP VIEW v_webhook_health",
                "TRUNCATE webhook_events",
                "SELECT count(*) FROM flyway_schema_history",
                "SELECT secure_provisioner_tables()")) {
            assertThat(DatabaseRoles.asApplicationRole(change).refusal()).as(change).isEqualTo(INSUFFICIENT_PRIVILEGE);
        }
        try (Connection owner = Database.connect(); Statement sql = owner.createStatement()) {
            assertThat(strings(sql, """
                    SELECT relname FROM pg_class
                     WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p', 'v')
                       AND has_table_privilege('%s', oid, 'TRUNCATE, REFERENCES, TRIGGER')"""
                    .formatted(EmbeddedPostgresServer.APP_USER))).as("tables with more than DML").isEmpty();
        }
        assertThat(DatabaseRoles.asApplicationRole("UPDATE profiles SET full_name = full_name WHERE false").refusal()).isNull();
    }

    @Test
    void databaseUsersReadOnlyTheirOwnRowsWhateverRoleTheyClaim() throws Exception {
        UUID ana = users.signUpNew();
        UUID bo = users.signUpNew();
        users.awaitStatus(ana, "completed");
        users.awaitStatus(bo, "completed");
        Map<String, String> userTables = DatabaseRoles.userOwnedTables();

        assertThat(userTables).containsKeys("profiles", "evolution_instance_creation_queue", "evolution_instances");
        for (String claimedRole : List.of("authenticated", "service_role")) {
            String claims = "{\"sub\":\"" + ana + "\",\"role\":\"" + claimedRole + "\"}";
            for (var table : userTables.entrySet()) {
                List<String> owners = DatabaseRoles.asApiRole("authenticated", claims,
                        "SELECT " + table.getValue() + " FROM " + table.getKey()).values();
                assertThat(owners).as(table.getKey() + " claiming " + claimedRole).isSubsetOf(ana.toString());
                if (List.of("profiles", "evolution_instance_creation_queue", "evolution_instances").contains(table.getKey())) {
                    assertThat(owners).as(table.getKey() + " claiming " + claimedRole).containsExactly(ana.toString());
                }
            }
        }
        String anasClaims = "{\"sub\":\"" + ana + "\",\"role\":\"authenticated\"}";
        for (String hidden : List.of("SELECT webhook_key FROM evolution_instances", "SELECT instance_token FROM evolution_instances",
                "SELECT last_error FROM evolution_instance_creation_queue", "SELECT count(*) FROM webhook_events",
                "SELECT count(*) FROM v_webhook_health", "INSERT INTO profiles (id) VALUES ('" + ana + "')",
                "UPDATE evolution_instance_creation_queue SET status = 'pending'")) {
            assertThat(DatabaseRoles.asApiRole("authenticated", anasClaims, hidden).refusal()).as(hidden)
                    .isEqualTo(INSUFFICIENT_PRIVILEGE);
        }
    }

    @Test
    void anonymousDatabaseClientsReadNothing() throws Exception {
        UUID ana = users.signUpNew();
        String claims = "{\"sub\":\"" + ana + "\",\"role\":\"service_role\"}";

        for (String relation : DatabaseRoles.tablesAndViews()) {
            assertThat(DatabaseRoles.asApiRole("anon", claims, "SELECT count(*) FROM " + relation).refusal())
                    .as(relation).isEqualTo(INSUFFICIENT_PRIVILEGE);
        }
        assertThat(DatabaseRoles.asApiRole("anon", claims, "INSERT INTO profiles (id) VALUES (gen_random_uuid())").refusal())
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    @Test
    void theServiceRoleReadsEveryRowAndChangesNone() throws Exception {
        users.awaitStatus(users.signUpNew(), "completed");
        List<String> tables = new ArrayList<>(DatabaseRoles.tables());
        tables.remove("flyway_schema_history");
        tables.add("v_webhook_health");

        // One snapshot for both readings: the superuser's, which row-level security does not filter, and service_role's.
        try (Connection superuser = env.postgres().connectAsSuperuser(EmbeddedPostgresServer.DATABASE);
             Statement sql = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            superuser.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Map<String, String> everything = counts(sql, tables);
            sql.execute("SET LOCAL ROLE service_role");
            Map<String, String> seenByServiceRole = counts(sql, tables);
            superuser.rollback();

            assertThat(seenByServiceRole).isEqualTo(everything);
            assertThat(everything.get("evolution_instances")).isNotEqualTo("0");
        }
        for (String change : List.of("INSERT INTO profiles (id) VALUES (gen_random_uuid())",
                "UPDATE evolution_instance_creation_queue SET status = 'pending'", "DELETE FROM webhook_events",
                "SELECT count(*) FROM flyway_schema_history")) {
            assertThat(DatabaseRoles.asApiRole("service_role", "{\"role\":\"service_role\"}", change).refusal())
                    .as(change).isEqualTo(INSUFFICIENT_PRIVILEGE);
        }
    }

    @Test
    void everyTableIsClosedToRolesWithoutAPolicyItsOwnerIncluded() throws Exception {
        try (Connection owner = Database.connect(); Statement sql = owner.createStatement()) {
            assertThat(strings(sql, """
                    SELECT relname FROM pg_class
                     WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')
                       AND relname <> 'flyway_schema_history' AND NOT (relrowsecurity AND relforcerowsecurity)"""))
                    .as("tables without forced RLS").isEmpty();
            assertThat(strings(sql, """
                    SELECT DISTINCT pg_get_userbyid(acl.grantee) FROM pg_class c,
                           aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) acl
                     WHERE c.oid = to_regclass('flyway_schema_history')""")).as("roles with rights on Flyway's table")
                    .containsExactly(EmbeddedPostgresServer.OWNER);
            assertThat(strings(sql, """
                    SELECT DISTINCT tablename || ' ' || policyname FROM pg_policies
                     WHERE schemaname = current_schema() AND 'public' = ANY (roles)""")).as("policies for every role").isEmpty();
        }

        // A table the migrations never secured: forced row-level security and grants, but no policy.
        try (Connection superuser = env.postgres().connectAsSuperuser(EmbeddedPostgresServer.DATABASE);
             Statement sql = superuser.createStatement()) {
            superuser.setAutoCommit(false);
            sql.execute("SET LOCAL ROLE " + EmbeddedPostgresServer.OWNER);
            sql.execute("CREATE TABLE probe_without_policies AS SELECT generate_series(1, 3) AS n");
            sql.execute("ALTER TABLE probe_without_policies ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY");
            sql.execute("GRANT SELECT ON probe_without_policies TO evolution_provisioner_app, anon, authenticated, service_role");
            List<String> seen = new ArrayList<>();
            for (String role : List.of(EmbeddedPostgresServer.OWNER, EmbeddedPostgresServer.APP_USER, "anon", "authenticated", "service_role")) {
                sql.execute("SET LOCAL ROLE " + role);
                seen.add(role + ": " + strings(sql, "SELECT count(*) FROM probe_without_policies").get(0));
            }
            sql.execute("RESET ROLE");
            String rowsStored = strings(sql, "SELECT count(*) FROM probe_without_policies").get(0);
            superuser.rollback();

            assertThat(rowsStored).isEqualTo("3");
            assertThat(seen).containsExactly(EmbeddedPostgresServer.OWNER + ": 0", EmbeddedPostgresServer.APP_USER + ": 0",
                    "anon: 0", "authenticated: 0", "service_role: 0");
        }
    }

    private static Map<String, String> counts(Statement sql, List<String> relations) throws Exception {
        Map<String, String> counts = new LinkedHashMap<>();
        for (String relation : relations) {
            String count = relation.equals("v_webhook_health") ? "total_count" : "count(*)";
            counts.put(relation, strings(sql, "SELECT " + count + " FROM " + relation).get(0));
        }
        return counts;
    }

    private static List<String> strings(Statement sql, String query) throws Exception {
        List<String> values = new ArrayList<>();
        try (ResultSet rows = sql.executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
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

    /** Changes a stored secret behind the service's back, then waits until its key cache must read the row again. */
    private static void setSecret(UUID user, String column, String stored) throws Exception {
        assertThat(Database.update("UPDATE evolution_instances SET " + column + " = ? WHERE user_id = ?", stored, user))
                .isEqualTo(1);
        Thread.sleep(TestEnvironment.WEBHOOK_KEY_CACHE_TTL.toMillis() + 100);
    }
}
