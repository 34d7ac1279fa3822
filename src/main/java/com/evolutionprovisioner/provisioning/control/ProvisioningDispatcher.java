package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.platform.MessageSender;
import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.security.UserId;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.Queue;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Nudges the message-driven beans to work a queue row now. The message only carries the row id and what sent it:
 * the row is the truth, so a lost or duplicated message costs at most a delay or a no-op claim.
 */
@ApplicationScoped
public class ProvisioningDispatcher {

    private static final Logger LOG = Logger.getLogger(ProvisioningDispatcher.class.getName());

    public static final String ORIGIN_PROPERTY = "origin";
    public static final String USER_PROPERTY = "userId";

    @Inject
    MessageSender sender;

    @Resource(lookup = ServerResources.PROVISIONING_QUEUE)
    Queue provisioningQueue;

    public boolean dispatchSignup(long entryId, UserId userId) {
        return dispatch(entryId, userId, "signup", Duration.ZERO);
    }

    /** Returns whether the broker accepted the message; when not, the poller will find the row. */
    public boolean dispatch(long entryId, UserId userId, String origin, Duration delay) {
        Map<String, String> properties = new HashMap<>(Map.of(ORIGIN_PROPERTY, origin));
        if (userId != null) {
            properties.put(USER_PROPERTY, userId.toString());
        }
        String refusal = sender.send(provisioningQueue, Long.toString(entryId), properties, delay);
        if (refusal != null) {
            LOG.warning(() -> "Could not send provisioning message for queue entry " + entryId + " (user " + userId
                    + ", " + origin + "): " + refusal + " — the poller will pick the row up");
        }
        return refusal == null;
    }
}
