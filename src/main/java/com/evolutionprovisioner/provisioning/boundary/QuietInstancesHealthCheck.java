package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.health.CachedReadinessCheck;
import com.evolutionprovisioner.platform.health.ProbeResult;
import com.evolutionprovisioner.provisioning.control.QuietInstances;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.health.Readiness;

/**
 * Quiet instances as a warning, never DOWN: the service itself is ready, and a load balancer must not take it out of
 * rotation because some owners' WhatsApp sessions went silent. The warning and the count show in the details of
 * {@code GET /api/admin/health}.
 */
@Readiness
@ApplicationScoped
public class QuietInstancesHealthCheck extends CachedReadinessCheck {

    private static final String NAME = "quiet-instances";

    @Inject
    QuietInstances quiet;

    /** Created while the application starts: WildFly runs the checks on threads where beans cannot be looked up. */
    void createAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing the event is enough to create the bean
    }

    @Override
    protected ProbeResult probe() {
        Map<String, Object> details = new LinkedHashMap<>();
        try {
            long count = quiet.count();
            details.put("quiet", count);
            details.put("quietAfter", quiet.quietAfter().toString());
            details.put("warning", count == 0 ? "none" : count + " open instance(s) without message traffic for over "
                    + quiet.quietAfter() + ": GET /api/admin/instances/quiet lists them");
        } catch (RuntimeException e) {
            details.put("warning", "quiet instances could not be counted: " + e);
        }
        return ProbeResult.up(NAME, details);
    }
}
