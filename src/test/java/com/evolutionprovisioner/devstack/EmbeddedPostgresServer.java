package com.evolutionprovisioner.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A real PostgreSQL server from the binaries published on Maven Central, on 127.0.0.1, with the roles of
 * docs/database-security.md: the application database belongs to {@link #OWNER}, which runs the migrations; the service
 * connects as {@link #APP_USER}, a member of evolution_provisioner_app; and Supabase's roles and default grants are
 * there as on a Supabase project, so that the migrations must close what Supabase opens. Its data directory survives a
 * stop, so tests can restart the database under a running service.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** Creates roles and databases; neither the service nor its migrations use it. */
    public static final String SUPERUSER = "postgres";
    public static final String DATABASE = "provisioner";
    public static final String OWNER = "provisioner_owner";
    public static final String OWNER_PASSWORD = "provisioner-owner";
    public static final String APP_USER = "provisioner_app";
    public static final String APP_PASSWORD = "provisioner-app";
    /** Logs in as PostgREST does and switches to anon, authenticated or service_role. */
    public static final String POSTGREST_USER = "authenticator";
    public static final String POSTGREST_PASSWORD = "authenticator";

    /**
     * Idempotent: the data directory of command 1 outlives a run. service_role lacks Supabase's BYPASSRLS here, so
     * that its policy, not the attribute, is what lets it read.
     */
    private static final String ROLES = """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%1$s') THEN
                    CREATE ROLE %1$s LOGIN PASSWORD '%2$s';
                END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'evolution_provisioner_app') THEN
                    CREATE ROLE evolution_provisioner_app NOLOGIN;
                END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%3$s') THEN
                    CREATE ROLE %3$s LOGIN PASSWORD '%4$s' IN ROLE evolution_provisioner_app;
                END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
                    CREATE ROLE anon NOLOGIN NOINHERIT;
                    CREATE ROLE authenticated NOLOGIN NOINHERIT;
                    CREATE ROLE service_role NOLOGIN NOINHERIT;
                    CREATE ROLE %5$s LOGIN NOINHERIT PASSWORD '%6$s' IN ROLE anon, authenticated, service_role;
                END IF;
            END
            $$""".formatted(OWNER, OWNER_PASSWORD, APP_USER, APP_PASSWORD, POSTGREST_USER, POSTGREST_PASSWORD);

    /** What a Supabase project grants on everything its owner creates in public. */
    private static final String SUPABASE_DEFAULT_GRANTS = """
            GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
            ALTER DEFAULT PRIVILEGES FOR ROLE %1$s IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
            ALTER DEFAULT PRIVILEGES FOR ROLE %1$s IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
            ALTER DEFAULT PRIVILEGES FOR ROLE %1$s IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role
            """.formatted(OWNER);

    private final int port;
    private final Path dataDirectory;
    private final Map<String, String> serverSettings;
    private EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(int port, Path dataDirectory, Map<String, String> serverSettings) {
        this.port = port;
        this.dataDirectory = dataDirectory;
        this.serverSettings = serverSettings;
    }

    /** Starts the server and creates the roles and the application database if they do not exist yet. */
    public static EmbeddedPostgresServer start(int port, Path dataDirectory) throws IOException, SQLException {
        return start(port, dataDirectory, Map.of());
    }

    /**
     * As {@link #start(int, Path)}, with server settings on top of zonky's defaults (which include
     * {@code synchronous_commit=off}: fine for tests, not for a benchmark that claims durable commits).
     */
    public static EmbeddedPostgresServer start(int port, Path dataDirectory, Map<String, String> serverSettings)
            throws IOException, SQLException {
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(port == 0 ? LocalMachine.freePort() : port, dataDirectory,
                serverSettings);
        server.start();
        try (Connection connection = server.connectAsSuperuser("postgres"); Statement statement = connection.createStatement()) {
            statement.execute(ROLES);
        }
        server.createDatabase(DATABASE, false);
        return server;
    }

    public synchronized void start() throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "300");
        serverSettings.forEach(builder::setServerConfig);
        postgres = builder.start();
    }

    public synchronized void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    /**
     * A database owned by {@link #OWNER}, with Supabase's default grants.
     *
     * @param replace drop it first if it exists; otherwise an existing one is kept as it is
     */
    public void createDatabase(String name, boolean replace) throws SQLException {
        try (Connection connection = connectAsSuperuser("postgres"); Statement statement = connection.createStatement()) {
            if (replace) {
                statement.execute("DROP DATABASE IF EXISTS " + name);
            }
            try (ResultSet existing = statement.executeQuery("SELECT FROM pg_database WHERE datname = '" + name + "'")) {
                if (existing.next()) {
                    return;
                }
            }
            statement.execute("CREATE DATABASE " + name + " OWNER " + OWNER);
        }
        try (Connection connection = connectAsSuperuser(name); Statement statement = connection.createStatement()) {
            statement.execute(SUPABASE_DEFAULT_GRANTS);
        }
    }

    /** The application database. */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** The application database as its owner: what the migrations see, every row included. */
    public Connection connectAsOwner() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), OWNER, OWNER_PASSWORD);
    }

    public Connection connect(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }

    public Connection connectAsSuperuser(String database) throws SQLException {
        return postgres.getDatabase(SUPERUSER, database).getConnection();
    }
}
