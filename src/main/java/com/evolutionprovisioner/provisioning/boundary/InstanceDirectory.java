package com.evolutionprovisioner.provisioning.boundary;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The operator console's instance search: one read-only row per signed-up user, with where their provisioning,
 * pairing and webhook stand. Users without an instance yet are listed too, since they are what an operator looks for.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.SUPPORTS)
public class InstanceDirectory {

    @PersistenceContext
    EntityManager em;

    public record Listing(String userId, String email, String fullName, String instanceName, String status,
                          String connectionState, boolean webhookConfigured, OffsetDateTime webhookVerifiedAt,
                          String lastErrorCode, String operation, OffsetDateTime quietSince) {
    }

    /** {@code text} matches a substring of the user id, email, full name or instance name, ignoring case; blank: all. */
    public List<Listing> search(String text, int page, int size) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT p.id::text, p.email, p.full_name, i.instance_name, q.status, i.connection_state,
                               coalesce(i.webhook_configured, false), i.webhook_verified_at, q.last_error_code,
                               q.operation, i.quiet_since
                          FROM profiles p
                          LEFT JOIN evolution_instance_creation_queue q ON q.user_id = p.id
                          LEFT JOIN evolution_instances i ON i.user_id = p.id
                         WHERE ?1 = ''
                            OR p.id::text ILIKE ?2 ESCAPE '\\' OR p.email ILIKE ?2 ESCAPE '\\'
                            OR p.full_name ILIKE ?2 ESCAPE '\\' OR i.instance_name ILIKE ?2 ESCAPE '\\'
                         ORDER BY p.created_at DESC, p.id
                         LIMIT ?3 OFFSET ?4""")
                .setParameter(1, text)
                .setParameter(2, "%" + likeLiteral(text) + "%")
                .setParameter(3, size)
                .setParameter(4, (long) page * size)
                .getResultList();
        return rows.stream().map(row -> new Listing((String) row[0], (String) row[1], (String) row[2], (String) row[3],
                (String) row[4], (String) row[5], (Boolean) row[6], timestamp(row[7]), (String) row[8], (String) row[9],
                timestamp(row[10])))
                .toList();
    }

    private static OffsetDateTime timestamp(Object value) {
        return value instanceof Timestamp stamp ? stamp.toInstant().atOffset(ZoneOffset.UTC) : (OffsetDateTime) value;
    }

    /** The search text taken literally: LIKE's wildcards and its escape character lose their meaning. */
    static String likeLiteral(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
