package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.health.CachedReadinessCheck;
import com.evolutionprovisioner.platform.health.ProbeResult;
import com.evolutionprovisioner.provisioning.control.CapacityWaiters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.health.Readiness;

/**
 * Users waiting because every Evolution server is full, as a warning, never DOWN: this node serves everyone else, and
 * taking it out of rotation would not add a server. The count and the warning show in {@code GET /api/admin/health}.
 */
@Readiness
@ApplicationScoped
public class PoolCapacityHealthCheck extends CachedReadinessCheck {

    private static final String NAME = "evolution-pool-capacity";

    @Inject
    CapacityWaiters waiters;

    /** Created while the application starts: WildFly runs the checks on threads where beans cannot be looked up. */
    void createAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing the event is enough to create the bean
    }

    @Override
    protected ProbeResult probe() {
        Map<String, Object> details = new LinkedHashMap<>();
        try {
            long waiting = waiters.count();
            details.put("waitingForCapacity", waiting);
            details.put("warning", waiting == 0 ? "none" : waiting + " user(s) waiting for an Evolution server with"
                    + " room (no_capacity): add a server or raise a capacity (POST or PATCH /api/admin/evolution-servers)");
        } catch (RuntimeException e) {
            details.put("warning", "users waiting for capacity could not be counted: " + e);
        }
        return ProbeResult.up(NAME, details);
    }
}
