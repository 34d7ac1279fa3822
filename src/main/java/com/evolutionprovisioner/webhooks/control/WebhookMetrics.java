package com.evolutionprovisioner.webhooks.control;

import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.metrics.Tag;

/** Deliveries received (by event, duplicates apart) and rejected (by event and answer), for /metrics. */
@ApplicationScoped
public class WebhookMetrics {

    @Inject
    ApplicationMetrics metrics;

    /** Evolution's events' counters, found once (bounded by {@link #EVOLUTION_EVENTS}): one is counted per delivery. */
    private final Map<String, Runnable> receivedCounters = new ConcurrentHashMap<>();

    public void received(String event, boolean duplicate) {
        if (!EVOLUTION_EVENTS.contains(event)) {
            countReceived(event, duplicate).run();
            return;
        }
        receivedCounters.computeIfAbsent(event + (duplicate ? " duplicate" : ""), key -> countReceived(event, duplicate)).run();
    }

    private Runnable countReceived(String event, boolean duplicate) {
        return metrics.incrementer("webhook_deliveries_received", new Tag("event", event),
                new Tag("duplicate", Boolean.toString(duplicate)));
    }

    /**
     * Rejections by event and answer. A rejected body is untrusted: only Evolution's own event names become labels,
     * anything else (or no readable event) counts as "unknown", so a caller cannot inflate the series.
     */
    public void rejected(String event, int status) {
        String label = event != null && EVOLUTION_EVENTS.contains(event) ? event : "unknown";
        metrics.increment("webhook_deliveries_rejected", new Tag("event", label), new Tag("status", Integer.toString(status)));
    }

    /** Delivered event names (Evolution's src/api/types/wa.types.ts, dotted lower-case). */
    private static final Set<String> EVOLUTION_EVENTS = Set.of(
            "application.startup", "qrcode.updated", "messages.set", "messages.upsert", "messages.edited",
            "messages.update", "messages.delete", "send.message", "send.message.update", "contacts.set",
            "contacts.upsert", "contacts.update", "presence.update", "chats.set", "chats.upsert", "chats.update",
            "chats.delete", "groups.upsert", "group.update", "group.participants.update", "connection.update",
            "remove.instance", "logout.instance", "instance.create", "instance.delete", "status.instance",
            "labels.edit", "labels.association", "call", "typebot.start", "typebot.change.status",
            "messaging.history.set");
}
