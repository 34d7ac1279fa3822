package com.evolutionprovisioner.testsupport;

import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.UserId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Direct SQL against the test database, as the tables' owner (whose policies let it see every row): to arrange what
 * other systems would do, and to check what was stored. The service itself runs as the application role.
 */
public final class Database {

    private Database() {
    }

    public static Connection connect() throws Exception {
        return TestEnvironment.get().postgres().connectAsOwner();
    }

    public static int update(String sql, Object... parameters) throws Exception {
        return update(connect(), sql, parameters);
    }

    /** Runs an update on {@code connection} (closed afterwards): also another database's. */
    static int update(Connection database, String sql, Object... parameters) throws Exception {
        try (Connection connection = database; PreparedStatement statement = prepare(connection, sql, parameters)) {
            return statement.executeUpdate();
        }
    }

    public static Optional<Map<String, Object>> row(String sql, Object... parameters) throws Exception {
        return row(connect(), sql, parameters);
    }

    /** One row by column label, read on {@code connection} (closed afterwards): also another database's. */
    static Optional<Map<String, Object>> row(Connection database, String sql, Object... parameters) throws Exception {
        try (Connection connection = database; PreparedStatement statement = prepare(connection, sql, parameters);
             ResultSet result = statement.executeQuery()) {
            if (!result.next()) {
                return Optional.empty();
            }
            Map<String, Object> row = new LinkedHashMap<>();
            for (int column = 1; column <= result.getMetaData().getColumnCount(); column++) {
                row.put(result.getMetaData().getColumnLabel(column), result.getObject(column));
            }
            return Optional.of(row);
        }
    }

    public static long count(String sql, Object... parameters) throws Exception {
        return ((Number) row(sql, parameters).orElseThrow().values().iterator().next()).longValue();
    }

    public static Map<String, Object> queueRow(UUID user) throws Exception {
        return row("SELECT * FROM evolution_instance_creation_queue WHERE user_id = ?", user).orElseThrow();
    }

    /** An instance secret column (webhook_key, instance_token), decrypted as the service reads it. */
    public static String instanceSecret(String column, UUID user) throws Exception {
        String stored = (String) row("SELECT " + column + " FROM evolution_instances WHERE user_id = ?", user)
                .orElseThrow().get(column);
        return secrets().decrypt(stored, EvolutionInstance.secretLocation(new UserId(user), column));
    }

    /** The service's keys: SECRETS_KEY and SECRETS_KEY_PREVIOUS of the test environment (unencrypted values read). */
    public static SecretCipher secrets() {
        return new SecretCipher(Base64.getDecoder().decode(TestEnvironment.SECRETS_KEY),
                Base64.getDecoder().decode(TestEnvironment.SECRETS_KEY_PREVIOUS), () -> false);
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }
}
