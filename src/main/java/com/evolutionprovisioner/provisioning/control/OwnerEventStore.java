package com.evolutionprovisioner.provisioning.control;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.provisioning.entity.OwnerEvent;
import com.evolutionprovisioner.security.UserId;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObjectBuilder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Reads {@code owner_events} (the V70 triggers write it) and the current state a stream starts with; deletes what is
 * past retention. Plain JDBC outside any transaction: every read is one autocommit statement, also from the listener's
 * own thread, and {@code data} stays the JSON text PostgreSQL made.
 */
@ApplicationScoped
public class OwnerEventStore {

    private static final String COLUMNS = "SELECT id, user_id, type, data::text FROM owner_events ";
    /** A resume that far behind is answered with the current state, not a replay of everything since. */
    private static final int MAX_REPLAY = 1000;

    @Resource(lookup = ServerResources.DATASOURCE)
    DataSource dataSource;

    public List<OwnerEvent> byIds(Collection<Long> ids) {
        return query(COLUMNS + "WHERE id = ANY (?) ORDER BY id", statement ->
                statement.setArray(1, statement.getConnection().createArrayOf("bigint", ids.toArray())));
    }

    /** The user's events after {@code afterId}, oldest first; empty when there are more than a replay may hold. */
    public Optional<List<OwnerEvent>> after(UserId user, long afterId) {
        List<OwnerEvent> events = query(COLUMNS + "WHERE user_id = ? AND id > ? ORDER BY id LIMIT " + (MAX_REPLAY + 1),
                statement -> {
                    statement.setObject(1, user.value());
                    statement.setLong(2, afterId);
                });
        return events.size() > MAX_REPLAY ? Optional.empty() : Optional.of(events);
    }

    /** Events of any of {@code users} after {@code afterId}: what a listener missed while it was not listening. */
    public List<OwnerEvent> afterFor(Collection<UserId> users, long afterId) {
        return query(COLUMNS + "WHERE id > ? AND user_id = ANY (?) ORDER BY id", statement -> {
            statement.setLong(1, afterId);
            statement.setArray(2, statement.getConnection().createArrayOf("uuid",
                    users.stream().map(UserId::value).toArray()));
        });
    }

    /**
     * Whether the user's event {@code id} is still stored: then every later one is too (retention deletes the oldest
     * first) and a resume from it is complete.
     */
    public boolean retained(UserId user, long id) {
        return exists("SELECT 1 FROM owner_events WHERE user_id = ? AND id = ?", user, id);
    }

    public long latestId() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT coalesce(max(id), 0) FROM owner_events");
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the latest owner event: " + e.getMessage(), e);
        }
    }

    /**
     * The user's current status, QR code and connection state as events, each with the id of the user's latest
     * event (a resume from it continues after); empty when the user has no profile. One statement, so the state and
     * the id come from one snapshot.
     */
    public Optional<List<OwnerEvent>> currentState(UserId user) {
        String sql = """
                SELECT q.status, q.last_error_code, i.qr_code, i.qr_code_count, i.connection_state,
                       (SELECT coalesce(max(e.id), 0) FROM owner_events e WHERE e.user_id = q.user_id) AS latest_id
                  FROM evolution_instance_creation_queue q
                  LEFT JOIN evolution_instances i ON i.user_id = q.user_id
                 WHERE q.user_id = ?""";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, user.value());
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                long id = row.getLong("latest_id");
                List<OwnerEvent> state = new ArrayList<>();
                JsonObjectBuilder status = JSON.createObjectBuilder().add("status", row.getString("status"));
                if (row.getString("last_error_code") != null) {
                    status.add("errorCode", row.getString("last_error_code"));
                }
                state.add(new OwnerEvent(id, user, OwnerEvent.STATUS, status.build().toString()));
                if (row.getString("qr_code") != null) {
                    JsonObjectBuilder qr = JSON.createObjectBuilder().add("qrCode", row.getString("qr_code"));
                    if (row.getInt("qr_code_count") > 0) {
                        qr.add("count", row.getInt("qr_code_count"));
                    }
                    state.add(new OwnerEvent(id, user, OwnerEvent.QRCODE, qr.build().toString()));
                }
                if (row.getString("connection_state") != null) {
                    state.add(new OwnerEvent(id, user, OwnerEvent.CONNECTION,
                            JSON.createObjectBuilder().add("state", row.getString("connection_state")).build().toString()));
                }
                return Optional.of(state);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the current state of user " + user + ": " + e.getMessage(), e);
        }
    }

    /** Deletes events older than {@code retention}; returns how many. */
    public int deleteOlderThan(Duration retention) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "DELETE FROM owner_events WHERE created_at < now() - make_interval(secs => ?)")) {
            statement.setDouble(1, retention.toMillis() / 1000.0);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot delete old owner events: " + e.getMessage(), e);
        }
    }

    private interface Parameters {
        void set(PreparedStatement statement) throws SQLException;
    }

    private List<OwnerEvent> query(String sql, Parameters parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            parameters.set(statement);
            List<OwnerEvent> events = new ArrayList<>();
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    events.add(new OwnerEvent(row.getLong(1), new UserId(row.getObject(2, UUID.class)), row.getString(3),
                            row.getString(4)));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read owner events: " + e.getMessage(), e);
        }
    }

    private boolean exists(String sql, UserId user, long id) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, user.value());
            statement.setLong(2, id);
            try (ResultSet result = statement.executeQuery()) {
                return result.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read owner events: " + e.getMessage(), e);
        }
    }
}
