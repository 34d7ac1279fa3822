package com.evolutionprovisioner.provisioning.entity;

import com.evolutionprovisioner.security.UserId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One user's provisioning request. Read through JPA; every state change is a single conditional UPDATE in
 * {@code ProvisioningQueue}, because the row is shared by all workers of all nodes.
 */
@Entity
@Table(name = "evolution_instance_creation_queue")
public class QueueEntry {

    @Id
    private Long id;

    @Column(name = "user_id")
    private UUID userId;

    private QueueStatus status;

    private QueueOperation operation;

    @Column(name = "deprovisioning_requested_at")
    private OffsetDateTime deprovisioningRequestedAt;

    private int attempts;

    @Column(name = "max_attempts")
    private int maxAttempts;

    /** Attempts that found Evolution (or the database) unavailable: not counted in {@link #attempts}. */
    @Column(name = "unavailable_attempts")
    private int unavailableAttempts;

    @Column(name = "next_attempt_at")
    private OffsetDateTime nextAttemptAt;

    @Column(name = "processing_started_at")
    private OffsetDateTime processingStartedAt;

    @Column(name = "completed_at")
    private OffsetDateTime completedAt;

    @Column(name = "last_error")
    private String lastError;

    @Column(name = "last_error_code")
    private FailureCode lastErrorCode;

    @Column(name = "claimed_by")
    private String claimedBy;

    @Column(name = "claimed_via")
    private String claimedVia;

    @Column(name = "created_at")
    private OffsetDateTime createdAt;

    @Column(name = "updated_at")
    private OffsetDateTime updatedAt;

    protected QueueEntry() {
    }

    public Long getId() {
        return id;
    }

    public UserId getUserId() {
        return new UserId(userId);
    }

    public QueueStatus getStatus() {
        return status;
    }

    public QueueOperation getOperation() {
        return operation;
    }

    /** Whether the user asked for their instance and data to be deleted: then every attempt deletes, none creates. */
    public boolean isDeprovisioning() {
        return operation == QueueOperation.DEPROVISION;
    }

    /** When the deletion was asked for; null for a row that only ever provisioned. */
    public OffsetDateTime getDeprovisioningRequestedAt() {
        return deprovisioningRequestedAt;
    }

    public int getAttempts() {
        return attempts;
    }

    public int getUnavailableAttempts() {
        return unavailableAttempts;
    }

    /** Whether an earlier attempt may have reached Evolution, so its instance may exist without our knowing it. */
    public boolean hadEarlierAttempt() {
        return attempts > 1 || unavailableAttempts > 0;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public OffsetDateTime getNextAttemptAt() {
        return nextAttemptAt;
    }

    public OffsetDateTime getProcessingStartedAt() {
        return processingStartedAt;
    }

    public OffsetDateTime getCompletedAt() {
        return completedAt;
    }

    public String getLastError() {
        return lastError;
    }

    /** What a user may be told of {@link #getLastError()}. */
    public FailureCode getLastErrorCode() {
        return lastErrorCode;
    }

    public String getClaimedBy() {
        return claimedBy;
    }

    public String getClaimedVia() {
        return claimedVia;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }

    public OffsetDateTime getUpdatedAt() {
        return updatedAt;
    }
}
