package com.evolutionprovisioner.platform.work;

import com.evolutionprovisioner.platform.LogSafe;
import jakarta.jms.Message;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every pipeline's message-driven bean does with a message: read the {@link WorkNudge}, hand its rows to the
 * pipeline. The beans stay separate classes only because their activation configurations (queue, sessions) differ.
 */
public final class NudgeReceiver {

    private static final Logger LOG = Logger.getLogger(NudgeReceiver.class.getName());

    private NudgeReceiver() {
    }

    /**
     * Works the rows the message names. Never throws: redelivering would only repeat the failure in a tight loop,
     * while the rows keep their state and the safety-net round comes back to them.
     */
    public static void receive(Message message, DurableWork work) {
        WorkNudge nudge;
        try {
            nudge = WorkNudge.read(message);
        } catch (WorkNudge.Unreadable unreadable) {
            LOG.warning(() -> "Dropping an unreadable " + work.name() + " message " + LogSafe.quote(message) + ": "
                    + unreadable.getMessage());
            return;
        }
        try {
            work.workNow(nudge.ids(), nudge.via());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, work.name() + " row(s) " + nudge.ids() + " failed outside an attempt (left to the"
                    + " safety-net round)", e);
        }
    }
}
