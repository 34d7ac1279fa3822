package com.evolutionprovisioner.webhooks.control;

import com.evolutionprovisioner.evolution.entity.InstanceName;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

/**
 * Erases what the webhooks component keeps of an instance: its stored events and message log.
 * These tables are keyed by instance name, not by user, so no cascade from the user's profile reaches them: the
 * deletion of a user calls this in its own transaction.
 */
@Stateless
public class WebhookDataErasure {

    /** How many rows of each table went. */
    public record Erased(int events, int messages) {
    }

    @PersistenceContext
    EntityManager em;

    public Erased eraseInstance(InstanceName name) {
        return new Erased(
                deleteFrom("webhook_events", name),
                deleteFrom("evolution_messages", name));
    }

    private int deleteFrom(String table, InstanceName name) {
        return em.createNativeQuery("DELETE FROM " + table + " WHERE instance_name = ?1")
                .setParameter(1, name.value())
                .executeUpdate();
    }
}
