package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueStatus;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** Queue administration for the service role: the actions the seed's operators ran by hand in SQL (also JMX {@code type=ProvisioningQueue}). */
@Path("admin/queue")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

    @Inject
    QueueOperations operations;

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

    @GET
    public List<QueueRow> queue(@QueryParam("status") @DefaultValue("failed") String status,
                                @QueryParam("page") @DefaultValue("0") int page,
                                @QueryParam("size") @DefaultValue("50") int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw ApiException.badRequest("page must be >= 0 and size between 1 and 500.");
        }
        return operations.list(statusNamed(status), page, size).stream().map(QueueRow::of).toList();
    }

    @POST
    @Path("{userId}/requeue")
    public Map<String, Object> requeue(@PathParam("userId") String userId) {
        if (!operations.requeue(userIdFrom(userId))) {
            throw ApiException.notFound("No failed or completed queue row for this user.");
        }
        return Map.of("requeued", 1);
    }

    @POST
    @Path("requeue-failed")
    public Map<String, Object> requeueFailed() {
        return Map.of("requeued", operations.requeueFailed());
    }

    @POST
    @Path("reset-stuck")
    public Map<String, Object> resetStuck() {
        return Map.of("reset", operations.resetStuck());
    }

    @POST
    @Path("purge")
    public Map<String, Object> purge(@QueryParam("olderThanDays") @DefaultValue("30") int days) {
        if (days < 1) {
            throw ApiException.badRequest("olderThanDays must be at least 1.");
        }
        return Map.of("purged", operations.purgeCompletedOlderThan(days));
    }

    /** A path's user id, or 400. */
    static UserId userIdFrom(String pathValue) {
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
