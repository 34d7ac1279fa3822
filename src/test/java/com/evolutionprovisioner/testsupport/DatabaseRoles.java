package com.evolutionprovisioner.testsupport;

import com.evolutionprovisioner.devstack.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test database as its other clients meet it: PostgREST, which logs in as authenticator and runs each request as
 * anon, authenticated or service_role with the caller's JWT claims, and the service's own login role. Every statement
 * runs in a transaction that is rolled back, so that one wrongly allowed changes nothing.
 */
public final class DatabaseRoles {

    /** What a statement returned (its first column as text), or the SQLState it was refused with. */
    public record Outcome(List<String> values, String refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    private DatabaseRoles() {
    }

    /** One PostgREST request: {@code SET LOCAL ROLE role} and the request's claims, then the statement. */
    public static Outcome asApiRole(String role, String claims, String sql) throws Exception {
        try (Connection connection = TestEnvironment.get().postgres().connect(EmbeddedPostgresServer.DATABASE,
                EmbeddedPostgresServer.POSTGREST_USER, EmbeddedPostgresServer.POSTGREST_PASSWORD)) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement();
                 PreparedStatement setClaims = connection.prepareStatement("SELECT set_config('request.jwt.claims', ?, true)")) {
                statement.execute("SET LOCAL ROLE " + role);
                setClaims.setString(1, claims);
                setClaims.execute();
                return run(statement, sql);
            } finally {
                connection.rollback();
            }
        }
    }

    /** The statement on a connection of the service's login role. */
    public static Outcome asApplicationRole(String sql) throws Exception {
        try (Connection connection = TestEnvironment.get().postgres().connect(EmbeddedPostgresServer.DATABASE,
                EmbeddedPostgresServer.APP_USER, EmbeddedPostgresServer.APP_PASSWORD)) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                return run(statement, sql);
            } finally {
                connection.rollback();
            }
        }
    }

    /** The tables (plain and partitioned) of the service's schema, as the owner sees them. */
    public static List<String> tables() throws Exception {
        return ownerQuery("""
                SELECT relname FROM pg_class
                 WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') ORDER BY relname""");
    }

    /** The tables and views of the service's schema. */
    public static List<String> tablesAndViews() throws Exception {
        return ownerQuery("""
                SELECT relname FROM pg_class
                 WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p', 'v') ORDER BY relname""");
    }

    /** Every table whose rows belong to a user, with the column holding the user's id (profiles.id, else user_id). */
    public static Map<String, String> userOwnedTables() throws Exception {
        Map<String, String> tables = new LinkedHashMap<>();
        for (String table : tables()) {
            if (table.equals("profiles")) {
                tables.put(table, "id");
            } else if (!ownerQuery("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass('" + table
                    + "') AND attname = 'user_id' AND NOT attisdropped").isEmpty()) {
                tables.put(table, "user_id");
            }
        }
        return tables;
    }

    private static List<String> ownerQuery(String sql) throws Exception {
        try (Connection connection = Database.connect(); Statement statement = connection.createStatement()) {
            return values(statement, sql);
        }
    }

    private static Outcome run(Statement statement, String sql) {
        try {
            return new Outcome(values(statement, sql), null);
        } catch (SQLException refused) {
            return new Outcome(null, refused.getSQLState());
        }
    }

    private static List<String> values(Statement statement, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        if (statement.execute(sql)) {
            try (ResultSet rows = statement.getResultSet()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }
}
