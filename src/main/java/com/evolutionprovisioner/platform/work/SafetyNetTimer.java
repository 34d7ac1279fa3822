package com.evolutionprovisioner.platform.work;

import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import java.time.Duration;

/**
 * Starts a pipeline's safety-net poller the one way all pipelines do: an interval timer whose period comes from
 * configuration, not persistent, because every node runs its own poller and the database claim, not the timer,
 * keeps an item to one worker.
 */
public final class SafetyNetTimer {

    private SafetyNetTimer() {
    }

    /** An interval timer named {@code name}, firing every {@code period} from one period after now. */
    public static Timer start(TimerService timers, String name, Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("The poll interval of " + name + " must be positive, not " + period);
        }
        long millis = period.toMillis();
        return timers.createIntervalTimer(millis, millis, new TimerConfig(name, false));
    }
}
