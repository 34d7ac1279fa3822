package com.evolutionprovisioner.platform.health;

import com.evolutionprovisioner.platform.ServerResources;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when a pooled connection answers: nothing works without the database. */
@Readiness
@ApplicationScoped
public class DatabaseHealthCheck extends CachedReadinessCheck {

    private static final String NAME = "database";

    @Resource(lookup = ServerResources.DATASOURCE)
    DataSource dataSource;

    @Override
    protected ProbeResult probe() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2) ? ProbeResult.up(NAME, Map.of())
                    : ProbeResult.down(NAME, Map.of("error", "the pooled connection did not answer within 2 s"));
        } catch (SQLException | RuntimeException e) {
            return ProbeResult.failed(NAME, e);
        }
    }
}
