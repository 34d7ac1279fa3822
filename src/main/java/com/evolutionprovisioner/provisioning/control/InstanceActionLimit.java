package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.security.UserId;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How often a user may set work going on their instance (repair now; later the lifecycle actions): at most
 * INSTANCE_ACTIONS_PER_WINDOW in each INSTANCE_ACTION_WINDOW, a fixed window that starts with the first action.
 * Counted on the user's own queue row by one conditional UPDATE, so the allowance is shared by all nodes.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class InstanceActionLimit {

    @PersistenceContext
    EntityManager em;

    @Inject
    @ConfigProperty(name = "instance.actions.per.window")
    int actionsPerWindow;

    @Inject
    @ConfigProperty(name = "instance.action.window")
    Duration window;

    /** Counts one action of the user; when their allowance is used up, counts nothing and says how long to wait. */
    public Optional<Duration> refusal(UserId user) {
        int counted = em.createNativeQuery("""
                        UPDATE evolution_instance_creation_queue
                           SET actions_in_window = CASE WHEN actions_window_started_at > now() - ?3 * interval '1 millisecond'
                                                        THEN actions_in_window + 1 ELSE 1 END,
                               actions_window_started_at = CASE WHEN actions_window_started_at > now() - ?3 * interval '1 millisecond'
                                                                THEN actions_window_started_at ELSE now() END
                         WHERE user_id = ?1
                           AND (actions_window_started_at IS NULL
                                OR actions_window_started_at <= now() - ?3 * interval '1 millisecond'
                                OR actions_in_window < ?2)""")
                .setParameter(1, user.value())
                .setParameter(2, actionsPerWindow)
                .setParameter(3, window.toMillis())
                .executeUpdate();
        if (counted == 1) {
            return Optional.empty();
        }
        List<?> waits = em.createNativeQuery("""
                        SELECT greatest(extract(EPOCH FROM actions_window_started_at + ?2 * interval '1 millisecond' - now())
                                        * 1000, 0)::bigint
                          FROM evolution_instance_creation_queue WHERE user_id = ?1""")
                .setParameter(1, user.value())
                .setParameter(2, window.toMillis())
                .getResultList();
        return waits.stream().map(wait -> Duration.ofMillis(((Number) wait).longValue())).findFirst();
    }
}
