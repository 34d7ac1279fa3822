package com.evolutionprovisioner.simulator;

import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;

/** The faults injected into API calls (admin calls never come here). Thread-safe. */
final class Faults {

    private int failCount;
    private int failStatus;
    private String failPathPrefix;
    private volatile long latencyMillis;
    private volatile boolean down;
    /** Open (count 0) unless hanging; hanging calls wait on it. */
    private volatile CountDownLatch hangGate = new CountDownLatch(0);

    /** The next {@code count} calls whose path starts with {@code pathPrefix} (null: any path) answer {@code status}. */
    synchronized void failNext(int count, int status, String pathPrefix) {
        failCount = count;
        failStatus = status;
        failPathPrefix = pathPrefix;
    }

    /** The injected status for a call to {@code path}, using up one of the pending failures. */
    synchronized OptionalInt takeFailure(String path) {
        if (failCount <= 0 || (failPathPrefix != null && !path.startsWith(failPathPrefix))) {
            return OptionalInt.empty();
        }
        failCount--;
        return OptionalInt.of(failStatus);
    }

    void setLatencyMillis(long millis) {
        latencyMillis = millis;
    }

    synchronized void hang(boolean on) {
        if (on && hangGate.getCount() == 0) {
            hangGate = new CountDownLatch(1);
        } else if (!on) {
            hangGate.countDown();
        }
    }

    void setDown(boolean down) {
        this.down = down;
    }

    boolean down() {
        return down;
    }

    /** Holds a call for the configured latency, then for as long as the simulator hangs. */
    void delay() throws InterruptedException {
        long millis = latencyMillis;
        if (millis > 0) {
            Thread.sleep(millis);
        }
        hangGate.await();
    }

    void reset() {
        failNext(0, 0, null);
        setLatencyMillis(0);
        setDown(false);
        hang(false);
    }
}
