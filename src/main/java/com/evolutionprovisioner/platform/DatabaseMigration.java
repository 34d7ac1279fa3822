package com.evolutionprovisioner.platform;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;

/**
 * Brings the schema to the version this build expects before anything else touches it, on a connection of its own as
 * the tables' owner (DB_MIGRATION_USER), then checks that the service's pool runs as a role row-level security binds
 * (docs/database-security.md). Every node runs it; Flyway's lock makes concurrent starts safe.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class DatabaseMigration {

    /** The group role the migrations grant the service's privileges and policies to; DB_USER must be a member. */
    public static final String APPLICATION_ROLE = "evolution_provisioner_app";

    private static final Logger LOG = Logger.getLogger(DatabaseMigration.class.getName());
    private static final String RUNTIME_ROLE = """
            SELECT current_user AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypasses_rls,
                   pg_has_role(current_user, t.relowner, 'USAGE') AS owner,
                   CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = '%1$s')
                        THEN pg_has_role(current_user, '%1$s', 'USAGE') ELSE false END AS member
              FROM pg_roles r, pg_class t
             WHERE r.rolname = current_user AND t.oid = to_regclass('profiles')""".formatted(APPLICATION_ROLE);

    @Resource(lookup = ServerResources.DATASOURCE)
    DataSource dataSource;

    @Inject
    @ConfigProperty(name = "db.url")
    String url;

    @Inject
    @ConfigProperty(name = "db.user")
    String runtimeUser;

    @Inject
    @ConfigProperty(name = "db.password")
    Optional<String> runtimePassword;

    @Inject
    @ConfigProperty(name = "db.migration.user")
    Optional<String> migrationUser;

    @Inject
    @ConfigProperty(name = "db.migration.password")
    Optional<String> migrationPassword;

    @PostConstruct
    void migrate() {
        if (migrationUser.isEmpty()) {
            LOG.warning(() -> "DB_MIGRATION_USER is not set: migrating as DB_USER (" + runtimeUser + "), so the service runs"
                    + " as the owner of its tables, with every right on every row. Set DB_MIGRATION_USER to the owner and"
                    + " DB_USER to a member of " + APPLICATION_ROLE + " (docs/database-security.md)");
        }
        var result = Flyway.configure(DatabaseMigration.class.getClassLoader())
                .dataSource(url, migrationUser.orElse(runtimeUser),
                        (migrationUser.isPresent() ? migrationPassword : runtimePassword).orElse(null))
                .locations("classpath:db/migration")
                .load()
                .migrate();
        // Flyway reports no target version when nothing was pending.
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        LOG.info(() -> "Database schema at version " + version
                + " (" + result.migrationsExecuted + " migration(s) applied now as " + migrationUser.orElse(runtimeUser) + ")");
        checkRuntimeRole();
    }

    /** Fails the deployment when DB_USER could not use the tables; warns when nothing in the database restricts it. */
    private void checkRuntimeRole() {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet role = statement.executeQuery(RUNTIME_ROLE)) {
            if (!role.next()) {
                throw new IllegalStateException("DB_USER cannot see the table profiles after the migration: check that"
                        + " DB_URL names the same database and schema as for DB_MIGRATION_USER");
            }
            String name = role.getString("role");
            if (role.getBoolean("superuser") || role.getBoolean("bypasses_rls")) {
                LOG.warning(() -> "DB_USER " + name + " is a superuser or has BYPASSRLS: row-level security does not apply"
                        + " to the service. Use a login role that is only a member of " + APPLICATION_ROLE
                        + " (docs/database-security.md)");
            } else if (role.getBoolean("owner")) {
                if (migrationUser.isPresent()) {
                    LOG.warning(() -> "DB_USER " + name + " owns the tables (DB_MIGRATION_USER is " + migrationUser.get()
                            + "): the service may change the schema. Use a login role that is only a member of "
                            + APPLICATION_ROLE + " (docs/database-security.md)");
                }
            } else if (!role.getBoolean("member")) {
                throw new IllegalStateException("DB_USER " + name + " is not a member of " + APPLICATION_ROLE
                        + " and may not use the tables: GRANT " + APPLICATION_ROLE + " TO " + name
                        + " (docs/database-security.md)");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not check the database role of DB_USER: " + e.getMessage(), e);
        }
    }
}
