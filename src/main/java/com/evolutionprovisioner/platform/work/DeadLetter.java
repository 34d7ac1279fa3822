package com.evolutionprovisioner.platform.work;

import java.time.OffsetDateTime;

/**
 * A row its pipeline gave up on after its attempts, the same for every pipeline: which pipeline, the row's id (what
 * replay takes), what it was about (a user, an instance's event), the attempts spent, the last error and when the
 * work was queued.
 */
public record DeadLetter(String pipeline, long id, String subject, int attempts, String lastError,
                         OffsetDateTime queuedAt) {
}
