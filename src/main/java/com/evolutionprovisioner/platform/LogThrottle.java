package com.evolutionprovisioner.platform;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lets one log line per key through each interval and counts the others, so that a flood of refused requests costs
 * a few lines that say how many there were, not a full disk. The next line that gets through carries the count.
 * Keys are the reasons of a refusal, a small fixed set chosen by the code: never text from the request.
 */
public final class LogThrottle {

    private final Duration interval;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public LogThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    LogThrottle(Duration interval, LongSupplier nanoClock) {
        this.interval = interval;
        this.nanoClock = nanoClock;
    }

    /** Logs the message unless a line of this key was logged less than one interval ago; then it is only counted. */
    public void log(Logger logger, Level level, String key, Supplier<String> message) {
        if (!logger.isLoggable(level)) {
            return;
        }
        Window window = windows.computeIfAbsent(key, k -> new Window());
        long heldBack;
        synchronized (window) {
            long now = nanoClock.getAsLong();
            if (window.logged && now - window.loggedAt < interval.toNanos()) {
                window.heldBack++;
                return;
            }
            heldBack = window.heldBack;
            window.heldBack = 0;
            window.logged = true;
            window.loggedAt = now;
        }
        logger.log(level, () -> message.get()
                + (heldBack == 0 ? "" : " [and " + heldBack + " more like it since the last such line]"));
    }

    private static final class Window {
        private boolean logged;
        private long loggedAt;
        private long heldBack;
    }
}
