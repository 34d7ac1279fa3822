package com.evolutionprovisioner.testsupport;

import com.evolutionprovisioner.devstack.EmbeddedBroker;
import com.evolutionprovisioner.devstack.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A database (on the shared PostgreSQL server) and an Artemis broker of its own, for a node on another application
 * server: the Payara node of the other tests would otherwise take its messages, and every row it touches is then its
 * own work. The Evolution API simulator stays shared (instance names are unique per user).
 */
public final class SeparateBackends implements AutoCloseable {

    private final EmbeddedPostgresServer postgres;
    private final String database;
    private final EmbeddedBroker broker;

    private SeparateBackends(EmbeddedPostgresServer postgres, String database, EmbeddedBroker broker) {
        this.postgres = postgres;
        this.database = database;
        this.broker = broker;
    }

    public static SeparateBackends create(TestEnvironment.Running env, String name) throws Exception {
        String database = "provisioner_" + name;
        env.postgres().createDatabase(database, true);
        EmbeddedBroker broker = EmbeddedBroker.start(0, TestEnvironment.ARTEMIS_USER, TestEnvironment.ARTEMIS_PASSWORD,
                env.buildDirectory().resolve("it-data").resolve("artemis-" + name));
        return new SeparateBackends(env.postgres(), database, broker);
    }

    /** The node's settings ({@link TestEnvironment.Running#nodeSettings}) pointed at this database and broker. */
    public Map<String, String> settingsFor(TestEnvironment.Running env, String nodeId, String publicBaseUrl) {
        Map<String, String> settings = env.nodeSettings(nodeId, publicBaseUrl);
        settings.put("db.url", postgres.jdbcUrl(database));
        settings.put("artemis.connection.parameters", "host=127.0.0.1;port=" + broker.port());
        return settings;
    }

    public EmbeddedBroker broker() {
        return broker;
    }

    /** One column of a user's provisioning queue row in this database. */
    public Object queueColumn(UUID user, String column) throws Exception {
        try (Connection connection = connectAsOwner();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT " + column + " FROM evolution_instance_creation_queue WHERE user_id = ?")) {
            query.setObject(1, user);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    throw new AssertionError("No queue row for " + user);
                }
                return row.getObject(1);
            }
        }
    }

    /** One row of a query on this database, as the tables' owner (see {@link Database#row}). */
    public Optional<Map<String, Object>> row(String sql, Object... parameters) throws Exception {
        return Database.row(connectAsOwner(), sql, parameters);
    }

    public long count(String sql, Object... parameters) throws Exception {
        return ((Number) row(sql, parameters).orElseThrow().values().iterator().next()).longValue();
    }

    public int update(String sql, Object... parameters) throws Exception {
        return Database.update(connectAsOwner(), sql, parameters);
    }

    private Connection connectAsOwner() throws Exception {
        return postgres.connect(database, EmbeddedPostgresServer.OWNER, EmbeddedPostgresServer.OWNER_PASSWORD);
    }

    @Override
    public void close() throws Exception {
        broker.close();
    }
}
