package com.evolutionprovisioner.profiles.control;

import com.evolutionprovisioner.profiles.entity.Profile;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/** Stores profiles. The AFTER INSERT trigger on {@code profiles} enqueues provisioning in the same transaction. */
@ApplicationScoped
@Transactional
public class ProfileService {

    @PersistenceContext
    EntityManager em;

    /**
     * What a signup did: the stored profile, whether this call created it, its provisioning queue row, and whether
     * that row is erasing the user (a signup then would be answered with a profile about to vanish).
     */
    public record Registration(UUID id, String email, String fullName, OffsetDateTime createdAt, boolean created,
                               long queueEntryId, boolean deletionUnderWay) {
    }

    /**
     * Two statements, the fewest that can tell: the first inserts the profile or reads the one already there (ON
     * CONFLICT makes concurrent or repeated signups of one user converge on one row without an error; the UNION's
     * second half reads the statement's snapshot, so it answers only when nothing was inserted); the second reads
     * the queue row the insert trigger wrote, or the one already there.
     */
    public Registration register(UserId userId, String email, String fullName) {
        Object[] profile = (Object[]) em.createNativeQuery("""
                        WITH inserted AS (
                            INSERT INTO profiles (id, email, full_name) VALUES (?1, ?2, ?3)
                            ON CONFLICT (id) DO NOTHING
                            RETURNING email, full_name, created_at)
                        SELECT email, full_name, created_at, true FROM inserted
                        UNION ALL
                        SELECT email, full_name, created_at, false FROM profiles
                         WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM inserted)""")
                .setParameter(1, userId.value())
                .setParameter(2, email)
                .setParameter(3, fullName)
                .getSingleResult();
        Object[] queueRow = (Object[]) em.createNativeQuery(
                        "SELECT id, operation = 'deprovision' FROM evolution_instance_creation_queue WHERE user_id = ?1")
                .setParameter(1, userId.value())
                .getSingleResult();
        return new Registration(userId.value(), (String) profile[0], (String) profile[1], createdAt(profile[2]),
                (Boolean) profile[3], ((Number) queueRow[0]).longValue(), (Boolean) queueRow[1]);
    }

    private static OffsetDateTime createdAt(Object column) {
        return column instanceof OffsetDateTime offset ? offset
                : ((Timestamp) column).toInstant().atOffset(ZoneOffset.UTC);
    }

    /**
     * Deletes the user's profile, and with it (ON DELETE CASCADE) every row keyed by the user: the provisioning queue
     * row (with its action allowance) and the instance record. Returns whether there was one.
     */
    public boolean erase(UserId userId) {
        return em.createNativeQuery("DELETE FROM profiles WHERE id = ?1")
                .setParameter(1, userId.value())
                .executeUpdate() == 1;
    }

    public Optional<Profile> find(UserId userId) {
        return Optional.ofNullable(em.find(Profile.class, userId.value()));
    }
}
