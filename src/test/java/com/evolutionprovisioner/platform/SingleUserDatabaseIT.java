package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.devstack.LocalMachine;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A set-up from before V40 keeps working: one login role that owns the database, may not create roles, and runs both
 * the migrations and the service (DB_MIGRATION_USER unset). On a PostgreSQL of its own, because the shared one has the
 * group role evolution_provisioner_app, whose absence is the case here.
 */
class SingleUserDatabaseIT {

    @Test
    void theOwnerMigratesToV40AndStillUsesEveryRow() throws Exception {
        Path data = Path.of(System.getProperty("project.build.directory", "target"), "it-data", "single-user-pgdata").toAbsolutePath();
        LocalMachine.deleteTree(data, false);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setPort(LocalMachine.freePort())
                .setDataDirectory(Files.createDirectories(data)).setServerConfig("listen_addresses", "127.0.0.1").start()) {
            try (Connection superuser = postgres.getPostgresDatabase().getConnection(); Statement sql = superuser.createStatement()) {
                sql.execute("CREATE ROLE provisioner LOGIN PASSWORD 'single'");
                sql.execute("CREATE DATABASE provisioner OWNER provisioner");
            }
            String url = postgres.getJdbcUrl("provisioner", "provisioner");

            var migrated = Flyway.configure().dataSource(url, "provisioner", "single").locations("classpath:db/migration")
                    .load().migrate();

            UUID user = UUID.randomUUID();
            try (Connection owner = DriverManager.getConnection(url, "provisioner", "single"); Statement sql = owner.createStatement()) {
                sql.executeUpdate("INSERT INTO profiles (id, email) VALUES ('" + user + "', 'single@example.com')");
                assertThat(single(sql, "SELECT status FROM evolution_instance_creation_queue WHERE user_id = '" + user + "'"))
                        .isEqualTo("pending");
                assertThat(single(sql, "SELECT total_count FROM v_webhook_health")).isEqualTo("1");
                assertThat(single(sql, "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'profiles'::regclass")).isEqualTo("t");
                assertThat(single(sql, "SELECT count(*) FROM pg_roles WHERE rolname = 'evolution_provisioner_app'")).isEqualTo("0");
            }
            assertThat(migrated.success).isTrue();
            assertThat(migrated.targetSchemaVersion).isNotNull();
            assertThat(Integer.parseInt(migrated.targetSchemaVersion.split("\\.")[0])).isGreaterThanOrEqualTo(40);
        }
    }

    private static String single(Statement sql, String query) throws Exception {
        try (ResultSet row = sql.executeQuery(query)) {
            assertThat(row.next()).as(query).isTrue();
            return row.getString(1);
        }
    }
}
