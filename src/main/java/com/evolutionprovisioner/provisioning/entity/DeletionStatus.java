package com.evolutionprovisioner.provisioning.entity;

import jakarta.json.bind.annotation.JsonbNillable;
import java.time.OffsetDateTime;

/**
 * What a deletion request answers while the deletion is under way: the queue row's progress, with a coarse error code
 * when an attempt failed (Evolution unavailable, refused). The same row is followed at the status URL.
 */
@JsonbNillable
public record DeletionStatus(String userId, String operation, String status, int attempts, int maxAttempts,
                             String errorCode, OffsetDateTime requestedAt, OffsetDateTime nextAttemptAt) {

    public static DeletionStatus of(QueueEntry entry) {
        return new DeletionStatus(entry.getUserId().toString(), entry.getOperation().dbValue(),
                entry.getStatus().dbValue(), entry.getAttempts(), entry.getMaxAttempts(),
                entry.getLastErrorCode() == null ? null : entry.getLastErrorCode().dbValue(),
                entry.getDeprovisioningRequestedAt(), entry.getNextAttemptAt());
    }
}
