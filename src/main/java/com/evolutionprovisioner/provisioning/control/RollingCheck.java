package com.evolutionprovisioner.provisioning.control;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A check every completed instance gets once per interval, at an even, bounded rate: each tick (a minute, or the
 * interval when shorter) takes ceil(n × tick / interval) of the n instances, the least recently checked first. One
 * round at a time on a node: a slow round (Evolution timing out) never piles up behind itself, and an operator's
 * "check all now" waits for a running round instead of racing it, so its counts are its own.
 */
public final class RollingCheck {

    private static final Logger LOG = Logger.getLogger(RollingCheck.class.getName());
    static final Duration MAX_TICK = Duration.ofMinutes(1);

    private final String name;
    private final Duration interval;
    private final Duration tick;
    private final ReentrantLock round = new ReentrantLock();

    /** {@code name} says in logs what is checked, e.g. "Webhook drift check". */
    public RollingCheck(String name, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(name + ": the interval must be positive, not " + interval);
        }
        this.name = name;
        this.interval = interval;
        this.tick = interval.compareTo(MAX_TICK) < 0 ? interval : MAX_TICK;
    }

    public Duration interval() {
        return interval;
    }

    public Duration tick() {
        return tick;
    }

    /** ceil(n × tick / interval): every instance once per interval, never zero of many. */
    public int dueEachTick(long instances) {
        return (int) Math.min(Integer.MAX_VALUE, (instances * tick.toMillis() + interval.toMillis() - 1) / interval.toMillis());
    }

    /**
     * A timer's round over the share due this tick ({@link #dueEachTick} of how many {@code instances} there are),
     * skipped while the previous round still runs. A failure is logged; the next tick tries again.
     */
    public void onTick(LongSupplier instances, IntConsumer checkShare) {
        if (!round.tryLock()) {
            return;
        }
        try {
            checkShare.accept(dueEachTick(instances.getAsLong()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, name + " failed; next round in " + tick, e);
        } finally {
            round.unlock();
        }
    }

    /** An operator's round over every instance, after the running one (if any) has ended. */
    public <T> T everyInstanceNow(Supplier<T> checkAll) {
        round.lock();
        try {
            return checkAll.get();
        } finally {
            round.unlock();
        }
    }
}
