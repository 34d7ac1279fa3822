package com.evolutionprovisioner.platform.work;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One round of a pipeline's safety net, as every pipeline runs it: rows still unworked one poll interval after they
 * were due (broker down, a lost message) are nudged again, or worked on this thread when the broker refuses. Rounds
 * never overlap: a slow one (working rows itself while the broker is down) makes the next timer tick a no-op.
 */
public final class SafetyNetRound {

    /** The path recorded on the rows a round works or nudges. */
    public static final String VIA = "poller";

    private static final Logger LOG = Logger.getLogger(SafetyNetRound.class.getName());

    private final DurableWork work;
    private final Duration interval;
    private final int batchSize;
    private final AtomicBoolean running = new AtomicBoolean();

    /** {@code interval}: the poller's period, also how long a row waits before it counts as missed. */
    public SafetyNetRound(DurableWork work, Duration interval, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("The batch size of " + work.name() + "'s safety net must be positive, not " + batchSize);
        }
        this.work = work;
        this.interval = interval;
        this.batchSize = batchSize;
    }

    /** A round with no steps of the component's own. */
    public boolean run() {
        return run(() -> {
        });
    }

    /**
     * Runs a round unless the previous one is still running: first {@code ownSteps}, the component's own repairs,
     * then the overdue rows. Returns false when it did not run. A failure is logged, never thrown: the next round
     * is one interval away.
     */
    public boolean run(Runnable ownSteps) {
        if (!running.compareAndSet(false, true)) {
            return false;
        }
        try {
            ownSteps.run();
            // A row is "missed" once it has waited a whole poll interval: younger rows are the fast path's.
            List<Long> overdue = work.overdue(interval, batchSize);
            if (overdue.isEmpty()) {
                return true;
            }
            List<Long> refused = work.nudge(overdue, VIA);
            if (!refused.isEmpty()) {
                work.workNow(refused, VIA);
            }
            LOG.info(() -> "Safety net of " + work.name() + ": " + overdue.size() + " overdue row(s), "
                    + (overdue.size() - refused.size()) + " nudged through the broker, " + refused.size() + " worked here");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Safety-net round of " + work.name() + " failed; next round in " + interval, e);
        } finally {
            running.set(false);
        }
        return true;
    }
}
