package com.evolutionprovisioner.webhooks.control;

import java.util.List;

/**
 * Dead-letter events an operator gave fresh attempts: {@link WebhookEventDispatcher} nudges them once that is
 * committed, since a nudge that arrived first would find them still dead.
 */
public record ReplayedEvents(List<Long> ids) {
}
