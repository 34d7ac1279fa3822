package com.evolutionprovisioner.monitoring;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.platform.health.CachedReadinessCheck;
import com.evolutionprovisioner.platform.health.ProbeResult;
import com.evolutionprovisioner.provisioning.boundary.InstanceDirectory;
import com.evolutionprovisioner.provisioning.boundary.QueueOperations;
import com.evolutionprovisioner.provisioning.boundary.QueueSnapshot;
import com.evolutionprovisioner.provisioning.control.QueueStatistics;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueStatus;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import com.evolutionprovisioner.security.UserId;
import com.evolutionprovisioner.webhooks.boundary.WebhookOperations;
import com.evolutionprovisioner.webhooks.boundary.WebhookRetention;
import com.evolutionprovisioner.webhooks.control.EvolutionClocks;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Queue administration for the service role: the actions the seed's operators ran by hand in SQL. */
@Path("admin")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    @Inject
    QueueOperations operations;

    @Inject
    QueueSnapshot snapshot;

    @Inject
    InstanceDirectory instanceDirectory;

    @Inject
    WebhookOperations webhookOperations;

    @Inject
    WebhookRetention retention;

    @Inject
    EvolutionClocks clocks;

    @Inject
    @Any
    Instance<CachedReadinessCheck> readinessChecks;

    public record QueueRow(long id, String userId, String operation, String status, int attempts, int maxAttempts, String lastError,
                           String lastErrorCode, String claimedBy, String claimedVia, OffsetDateTime nextAttemptAt,
                           OffsetDateTime processingStartedAt, OffsetDateTime completedAt,
                           OffsetDateTime createdAt, OffsetDateTime updatedAt) {
        static QueueRow of(QueueEntry e) {
            return new QueueRow(e.getId(), e.getUserId().toString(), e.getOperation().name().toLowerCase(),
                    e.getStatus().dbValue(), e.getAttempts(),
                    e.getMaxAttempts(), e.getLastError(),
                    e.getLastErrorCode() == null ? null : e.getLastErrorCode().dbValue(), e.getClaimedBy(),
                    e.getClaimedVia(), e.getNextAttemptAt(), e.getProcessingStartedAt(), e.getCompletedAt(),
                    e.getCreatedAt(), e.getUpdatedAt());
        }
    }

    /** Readiness as /health/ready has it, with the details the public answer leaves out (errors, figures). */
    public record HealthReport(String status, List<CheckDetail> checks) {
    }

    public record CheckDetail(String name, String status, Map<String, Object> data) {
        static CheckDetail of(ProbeResult result) {
            return new CheckDetail(result.name(), result.status(), result.details());
        }
    }

    @GET
    @Path("queue")
    public List<QueueRow> queue(@QueryParam("status") @DefaultValue("failed") String status,
                                @QueryParam("page") @DefaultValue("0") int page,
                                @QueryParam("size") @DefaultValue("50") int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw ApiException.badRequest("page must be >= 0 and size between 1 and 500.");
        }
        return operations.list(statusNamed(status), page, size).stream().map(QueueRow::of).toList();
    }

    /** The readiness checks' latest results (at most 2 s old, as for the public probes) with their details. */
    @GET
    @Path("health")
    public HealthReport health() {
        List<CheckDetail> checks = readinessChecks.stream().map(CachedReadinessCheck::latest)
                .sorted(Comparator.comparing(ProbeResult::name))
                .map(CheckDetail::of)
                .toList();
        boolean up = checks.stream().allMatch(check -> "UP".equals(check.status()));
        return new HealthReport(up ? "UP" : "DOWN", checks);
    }

    @GET
    @Path("stats")
    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>(operations.healthView());
        QueueStatistics figures = operations.statistics();
        stats.put("oldestPendingAgeSeconds", figures.oldestPendingSeconds());
        stats.put("failureRateLastHour", figures.failureRateLastHour());
        stats.put("evolutionClockOffsetSeconds", clocks.offsets());
        return stats;
    }

    @POST
    @Path("queue/{userId}/requeue")
    public Map<String, Object> requeue(@PathParam("userId") String userId) {
        if (!operations.requeue(userIdFrom(userId))) {
            throw ApiException.notFound("No failed or completed queue row for this user.");
        }
        return Map.of("requeued", 1);
    }

    @POST
    @Path("queue/requeue-failed")
    public Map<String, Object> requeueFailed() {
        return Map.of("requeued", operations.requeueFailed());
    }

    @POST
    @Path("queue/reset-stuck")
    public Map<String, Object> resetStuck() {
        return Map.of("reset", operations.resetStuck());
    }

    @POST
    @Path("queue/purge")
    public Map<String, Object> purge(@QueryParam("olderThanDays") @DefaultValue("30") int days) {
        if (days < 1) {
            throw ApiException.badRequest("olderThanDays must be at least 1.");
        }
        return Map.of("purged", operations.purgeCompletedOlderThan(days));
    }

    @POST
    @Path("instances/{userId}/rotate-webhook-key")
    public Map<String, Object> rotateWebhookKey(@PathParam("userId") String userId) {
        if (!operations.rotateWebhookKey(userIdFrom(userId))) {
            throw ApiException.notFound("This user has no instance.");
        }
        return Map.of("rotated", true);
    }

    @GET
    @Path("webhooks/dead-letters")
    public List<WebhookOperations.DeadLetter> deadLetters(@QueryParam("limit") @DefaultValue("100") int limit) {
        return webhookOperations.deadLetters(Math.max(1, Math.min(limit, 1000)));
    }

    @POST
    @Path("webhooks/purge")
    public Map<String, Object> purgeWebhookEvents(@QueryParam("olderThanDays") Integer days) {
        if (days != null && days < 1) {
            throw ApiException.badRequest("olderThanDays must be at least 1.");
        }
        return Map.of("purged", webhookOperations.purgeAppliedOlderThan(
                days == null ? retention.retention() : Duration.ofDays(days)));
    }

    @POST
    @Path("webhooks/dead-letters/replay")
    public Map<String, Object> replayDeadLetters() {
        return Map.of("replayed", webhookOperations.replayDeadLetters());
    }

    @POST
    @Path("webhooks/dead-letters/{id}/replay")
    public Map<String, Object> replayDeadLetter(@PathParam("id") long id) {
        if (!webhookOperations.replayDeadLetter(id)) {
            throw ApiException.notFound("No dead letter with this id.");
        }
        return Map.of("replayed", 1);
    }

    /** Finds instances by user id, email, name or instance name (a case-insensitive substring), newest first. */
    @GET
    @Path("instances")
    public List<InstanceDirectory.Listing> instances(@QueryParam("search") @DefaultValue("") String search,
                                                     @QueryParam("page") @DefaultValue("0") int page,
                                                     @QueryParam("size") @DefaultValue("50") int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw ApiException.badRequest("page must be >= 0 and size between 1 and 500.");
        }
        if (search.length() > 200) {
            throw ApiException.badRequest("search must be at most 200 characters.");
        }
        return instanceDirectory.search(search.trim(), page, size);
    }

    /** Every admin request sees, and leaves behind, fresh queue figures (metrics, health, JMX). */
    @PostConstruct
    void freshQueueFigures() {
        snapshot.invalidate();
    }

    private static UserId userIdFrom(String pathValue) {
        UserId user = UserId.parseOrNull(pathValue);
        if (user == null) {
            throw ApiException.badRequest("userId must be a UUID.");
        }
        return user;
    }

    private static QueueStatus statusNamed(String status) {
        try {
            return QueueStatus.valueOf(status.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("status must be one of pending, processing, completed, failed.");
        }
    }
}
