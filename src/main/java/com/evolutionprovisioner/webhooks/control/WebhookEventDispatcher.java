package com.evolutionprovisioner.webhooks.control;

import com.evolutionprovisioner.platform.LogSafe;
import com.evolutionprovisioner.platform.MessageSender;
import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.platform.work.RetryPolicy;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.Queue;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Hands a stored event to the applier asynchronously, keeping the receiver's answer fast. A failed application is
 * retried with back-off; after WEBHOOK_APPLY_MAX_ATTEMPTS the event stays stored as a dead letter (unprocessed,
 * with its error) for an operator to inspect and replay.
 */
@ApplicationScoped
public class WebhookEventDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookEventDispatcher.class.getName());
    /** The JMS property naming the path that dispatched the event ({@link AppliedVia}). */
    public static final String VIA_PROPERTY = "appliedVia";

    @Inject
    MessageSender sender;

    @Inject
    WebhookEventApplier applier;

    @Resource(lookup = ServerResources.WEBHOOK_EVENTS_QUEUE)
    Queue webhookEventsQueue;

    @Inject
    Config config;

    /** WEBHOOK_APPLY_MAX_ATTEMPTS, WEBHOOK_APPLY_RETRY_BACKOFF, WEBHOOK_APPLY_MAX_BACKOFF. */
    private RetryPolicy retry;

    @PostConstruct
    void readRetryPolicy() {
        retry = RetryPolicy.fromConfig(config, "webhook.apply");
    }

    /** The attempts an event gets before it is a dead letter: the poller and the operators' dead-letter views ask. */
    public int maxAttempts() {
        return retry.maxAttempts();
    }

    /**
     * One message for events stored together (the ids comma-separated): the broker's cost is per message, and a
     * batch of webhook deliveries commits together anyway.
     */
    public boolean dispatchAll(List<Long> eventIds, AppliedVia via) {
        String ids = eventIds.stream().map(String::valueOf).collect(Collectors.joining(","));
        String refusal = sender.send(webhookEventsQueue, ids, Map.of(VIA_PROPERTY, via.dbValue()), Duration.ZERO);
        if (refusal != null) {
            LOG.warning(() -> eventIds.size() + " webhook events stored but not queued for application (" + refusal
                    + "); the poller will apply them");
        }
        return refusal == null;
    }

    /** The event ids a message names: one, or several sent by {@link #dispatchAll}. */
    public static List<Long> eventIds(String messageBody) {
        return Arrays.stream(messageBody.split(",")).map(String::trim).map(Long::parseLong).toList();
    }

    public boolean dispatch(long eventId, AppliedVia via, Duration delay) {
        String refusal = sender.send(webhookEventsQueue, Long.toString(eventId), Map.of(VIA_PROPERTY, via.dbValue()), delay);
        if (refusal != null) {
            LOG.warning(() -> "Webhook event " + eventId + " stored but not queued for application (" + refusal
                    + "); the poller will apply it");
        }
        return refusal == null;
    }

    /**
     * Applies the events now, in one transaction; if that fails, one by one ({@link #applyNow}), so that an event that
     * cannot be applied costs only its own attempts and the batch's other events are applied.
     */
    public void applyAllNow(List<Long> eventIds, AppliedVia via) {
        if (eventIds.size() > 1) {
            try {
                applier.applyAll(eventIds, via);
                return;
            } catch (RuntimeException batchFailure) {
                LOG.info(() -> "Applying " + eventIds.size() + " webhook events together failed (" + rootCause(batchFailure)
                        + "); applying them one by one");
            }
        }
        for (long eventId : eventIds) {
            try {
                applyNow(eventId, via);
            } catch (RuntimeException e) {
                // The event row keeps its state; the poller of unapplied events comes back to it.
                LOG.warning(() -> "Webhook event " + eventId + " not applied: " + e);
            }
        }
    }

    /** Applies the event now; on failure records it and schedules a retry, or leaves a dead letter. */
    public void applyNow(long eventId, AppliedVia via) {
        try {
            applier.apply(eventId, via);
        } catch (RuntimeException failure) {
            int attempts = applier.recordFailure(eventId, rootCause(failure));
            if (retry.allowsAnotherAfter(attempts)) {
                LOG.warning(() -> "Applying webhook event " + eventId + " failed (attempt " + attempts + "): "
                        + LogSafe.quote(rootCause(failure)));
                dispatch(eventId, AppliedVia.RETRY, retry.backoffAfter(attempts));
            } else {
                LOG.severe(() -> "Webhook event " + eventId + " is a dead letter after " + attempts + " attempts: "
                        + LogSafe.quote(rootCause(failure)) + ". Inspect GET /api/admin/webhooks/dead-letters, replay with POST …/replay");
            }
        }
    }

    /** The innermost cause says what went wrong; the EJB and JPA wrappers around it do not. */
    private static String rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
