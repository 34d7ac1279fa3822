package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.platform.work.DurableWork;
import com.evolutionprovisioner.platform.work.NudgeSender;
import com.evolutionprovisioner.platform.work.WorkNudge;
import com.evolutionprovisioner.security.UserId;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.Queue;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Provisioning as a user of the durable work pipeline: nudges the message-driven beans to work a queue row now
 * (deletions and relocations ride the same rows), and has the {@link Provisioner} work the rows a nudge or the
 * safety net names. One nudge per row, so that the rows spread over the beans' sessions: each takes seconds of
 * Evolution calls.
 */
@ApplicationScoped
public class ProvisioningDispatcher implements DurableWork {

    private static final Logger LOG = Logger.getLogger(ProvisioningDispatcher.class.getName());

    @Inject
    NudgeSender sender;

    @Inject
    ProvisioningQueue queue;

    @Inject
    Provisioner provisioner;

    @Resource(lookup = ServerResources.PROVISIONING_QUEUE)
    Queue provisioningQueue;

    public boolean dispatchSignup(long entryId, UserId userId) {
        return dispatch(entryId, userId, "signup", Duration.ZERO);
    }

    /** Returns whether the broker accepted the message; when not, the poller will find the row. */
    public boolean dispatch(long entryId, UserId userId, String origin, Duration delay) {
        Optional<String> refusal = sender.send(provisioningQueue, WorkNudge.of(entryId, origin), delay);
        refusal.ifPresent(why -> LOG.warning(() -> "Could not send provisioning message for queue entry " + entryId
                + " (user " + userId + ", " + origin + "): " + why + " — the poller will pick the row up"));
        return refusal.isEmpty();
    }

    @Override
    public String name() {
        return "provisioning";
    }

    @Override
    public List<Long> overdue(Duration waited, int limit) {
        return queue.overdue(waited, limit);
    }

    @Override
    public List<Long> nudge(List<Long> ids, String via) {
        return ids.stream().filter(id -> !dispatch(id, null, via, Duration.ZERO)).toList();
    }

    @Override
    public void workNow(List<Long> ids, String via) {
        ids.forEach(id -> provisioner.process(id, via));
    }
}
