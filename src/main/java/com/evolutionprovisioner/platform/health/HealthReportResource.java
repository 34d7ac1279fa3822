package com.evolutionprovisioner.platform.health;

import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The service role's readiness report: every component's readiness checks, found through CDI, with the details the
 * public {@code /health/ready} leaves out (errors, figures).
 */
@Path("admin/health")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class HealthReportResource {

    @Inject
    @Any
    Instance<CachedReadinessCheck> readinessChecks;

    /** Readiness as /health/ready has it, with the details the public answer leaves out (errors, figures). */
    public record HealthReport(String status, List<CheckDetail> checks) {
    }

    public record CheckDetail(String name, String status, Map<String, Object> data) {
        static CheckDetail of(ProbeResult result) {
            return new CheckDetail(result.name(), result.status(), result.details());
        }
    }

    /** The readiness checks' latest results (at most 2 s old, as for the public probes) with their details. */
    @GET
    public HealthReport health() {
        List<CheckDetail> checks = readinessChecks.stream().map(CachedReadinessCheck::latest)
                .sorted(Comparator.comparing(ProbeResult::name))
                .map(CheckDetail::of)
                .toList();
        boolean up = checks.stream().allMatch(check -> "UP".equals(check.status()));
        return new HealthReport(up ? "UP" : "DOWN", checks);
    }
}
