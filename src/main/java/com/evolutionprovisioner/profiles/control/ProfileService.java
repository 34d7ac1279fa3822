package com.evolutionprovisioner.profiles.control;

import com.evolutionprovisioner.profiles.entity.Profile;
import com.evolutionprovisioner.security.UserId;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.Optional;

/** Stores profiles. The AFTER INSERT trigger on {@code profiles} enqueues provisioning in the same transaction. */
@Stateless
public class ProfileService {

    @PersistenceContext
    EntityManager em;

    /** What a signup did: the stored profile, whether this call created it, and its provisioning queue row. */
    public record Registration(Profile profile, boolean created, long queueEntryId) {
    }

    public Registration register(UserId userId, String email, String fullName) {
        // ON CONFLICT makes concurrent or repeated signups of one user converge on one row without an error.
        int inserted = em.createNativeQuery("""
                        INSERT INTO profiles (id, email, full_name) VALUES (?1, ?2, ?3)
                        ON CONFLICT (id) DO NOTHING""")
                .setParameter(1, userId.value())
                .setParameter(2, email)
                .setParameter(3, fullName)
                .executeUpdate();
        Profile profile = em.find(Profile.class, userId.value());
        em.refresh(profile);
        Number queueEntryId = (Number) em.createNativeQuery(
                        "SELECT id FROM evolution_instance_creation_queue WHERE user_id = ?1")
                .setParameter(1, userId.value())
                .getSingleResult();
        return new Registration(profile, inserted == 1, queueEntryId.longValue());
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
