package com.evolutionprovisioner.evolution.control;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The fault tolerance of one Evolution server: a bulkhead (at most {@code maxConcurrent} calls at once; a call finding
 * them all under way waits up to {@code bulkheadWait} for one to end, then is refused) and a circuit breaker with MicroProfile's rules: over the last {@link #WINDOW} calls, a failure
 * ratio of {@link #FAILURE_RATIO} opens it; after {@code delay} it lets calls try again (half-open), and
 * {@link #SUCCESSES_TO_CLOSE} successes close it while one failure opens it again. Any exception of the call is a
 * failure; a full bulkhead is not. MicroProfile's annotations keep one such state per method, not per server: one
 * server's outage would have opened the circuit for every server.
 */
public final class ServerGuard {

    static final int WINDOW = 10;
    static final double FAILURE_RATIO = 0.5;
    static final int SUCCESSES_TO_CLOSE = 2;
    /** How old an outcome may be and still count in {@link #recentFailureRate()} and {@link #isUnhealthy()}. */
    static final Duration RECENT = Duration.ofMinutes(1);
    /** Consecutive failed calls that make a server unhealthy before its circuit can open. */
    static final int FAILURES_IN_A_ROW = 2;

    /** The breaker's states, with the value of the {@code evolution_server_circuit_state} gauge. */
    public enum Circuit {
        CLOSED(0), OPEN(1), HALF_OPEN(2);

        private final int gauge;

        Circuit(int gauge) {
            this.gauge = gauge;
        }

        public int gauge() {
            return gauge;
        }

        public String label() {
            return name().toLowerCase();
        }
    }

    private final String server;
    private final int maxConcurrent;
    private final Semaphore bulkhead;
    private final Duration bulkheadWait;
    private final Duration delay;
    private final LongSupplier nanoClock;
    private final Transitions transitions;
    private final boolean[] outcomes = new boolean[WINDOW];
    private final long[] outcomeTimes = new long[WINDOW];
    private int recorded;
    private int next;
    private Circuit circuit = Circuit.CLOSED;
    private long openedAt;
    private int halfOpenSuccesses;
    private int failuresInARow;
    private long lastFailureAt;
    private long openings;
    private long failures;

    /** Told (outside the guard's lock) when the circuit opens, and when it closes again after an opening. */
    interface Transitions {
        void opened(String server);

        void closed(String server);
    }

    /**
     * All of the server's concurrent calls are under way: this call was not made. Our own type, not MicroProfile's
     * BulkheadException: an application server adds the Fault Tolerance API only to deployments that use its
     * annotations (WildFly does), and this guard is not one of them.
     */
    public static final class BulkheadFullException extends RuntimeException {
        BulkheadFullException(String message) {
            super(message);
        }
    }

    /** The server's circuit is open (it is deemed down): this call was not made. */
    public static final class CircuitOpenException extends RuntimeException {
        CircuitOpenException(String message) {
            super(message);
        }
    }

    ServerGuard(String server, int maxConcurrent, Duration bulkheadWait, Duration delay, LongSupplier nanoClock,
                Transitions transitions) {
        this.server = server;
        this.maxConcurrent = maxConcurrent;
        // Fair: callers waiting for a call to end are served in turn, none waits out its time while later ones pass.
        this.bulkhead = new Semaphore(maxConcurrent, true);
        this.bulkheadWait = bulkheadWait;
        this.delay = delay;
        this.nanoClock = nanoClock;
        this.transitions = transitions;
    }

    /**
     * Runs the call unless the circuit is open or the bulkhead full, and records its outcome.
     *
     * @throws CircuitOpenException  when the circuit is open
     * @throws BulkheadFullException when {@code maxConcurrent} calls to this server stayed under way for
     *                               {@code bulkheadWait}
     */
    public <T> T call(Supplier<T> exchange) {
        admit();
        if (!enterBulkhead()) {
            throw new BulkheadFullException("Evolution server " + server + " had all its " + maxConcurrent
                    + " concurrent calls in use for " + bulkheadWait.toMillis() + " ms");
        }
        boolean succeeded = false;
        try {
            T result = exchange.get();
            succeeded = true;
            return result;
        } finally {
            bulkhead.release();
            record(succeeded);
        }
    }

    private boolean enterBulkhead() {
        try {
            return bulkhead.tryAcquire(bulkheadWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public synchronized Circuit circuit() {
        if (circuit == Circuit.OPEN && delayOver()) {
            return Circuit.HALF_OPEN;
        }
        return circuit;
    }

    /**
     * The failure share of the calls in the current window made within the last {@link #RECENT}, 0 when there were
     * none: what placement weighs, so that a server no call has gone to for a while is not held to old failures.
     */
    public synchronized double recentFailureRate() {
        long oldest = nanoClock.getAsLong() - RECENT.toNanos();
        int counted = 0;
        int failed = 0;
        for (int i = 0; i < recorded; i++) {
            if (outcomeTimes[i] - oldest > 0) {
                counted++;
                failed += outcomes[i] ? 0 : 1;
            }
        }
        return counted == 0 ? 0 : (double) failed / counted;
    }

    /**
     * Whether this node deems the server unhealthy: its circuit is open, or its last {@link #FAILURES_IN_A_ROW} calls
     * failed, the last within {@link #RECENT} (a server that just went down, long before its circuit can open; one
     * no call has gone to for a while is given another chance).
     */
    public synchronized boolean isUnhealthy() {
        return circuit() == Circuit.OPEN || failuresInARow >= FAILURES_IN_A_ROW
                && nanoClock.getAsLong() - lastFailureAt < RECENT.toNanos();
    }

    private double windowFailureRate() {
        int failed = 0;
        for (int i = 0; i < recorded; i++) {
            failed += outcomes[i] ? 0 : 1;
        }
        return recorded == 0 ? 0 : (double) failed / recorded;
    }

    /** How many times the circuit has opened since this node started. */
    public synchronized long openings() {
        return openings;
    }

    /** How many calls failed since this node started. */
    public synchronized long failures() {
        return failures;
    }

    private synchronized void admit() {
        if (circuit == Circuit.OPEN) {
            if (!delayOver()) {
                throw new CircuitOpenException("circuit open, Evolution server " + server + " deemed down");
            }
            circuit = Circuit.HALF_OPEN;
            halfOpenSuccesses = 0;
        }
    }

    private void record(boolean succeeded) {
        Circuit before;
        Circuit after;
        synchronized (this) {
            before = circuit;
            recordLocked(succeeded);
            after = circuit;
        }
        if (after == Circuit.OPEN && before != Circuit.OPEN) {
            transitions.opened(server);
        } else if (after == Circuit.CLOSED && before == Circuit.HALF_OPEN) {
            transitions.closed(server);
        }
    }

    private void recordLocked(boolean succeeded) {
        if (succeeded) {
            failuresInARow = 0;
        } else {
            failures++;
            failuresInARow++;
            lastFailureAt = nanoClock.getAsLong();
        }
        switch (circuit) {
            case HALF_OPEN -> {
                if (!succeeded) {
                    open();
                } else if (++halfOpenSuccesses >= SUCCESSES_TO_CLOSE) {
                    circuit = Circuit.CLOSED;
                    recorded = 0;
                    next = 0;
                }
            }
            case CLOSED -> {
                outcomes[next] = succeeded;
                outcomeTimes[next] = nanoClock.getAsLong();
                next = (next + 1) % WINDOW;
                recorded = Math.min(recorded + 1, WINDOW);
                if (recorded == WINDOW && windowFailureRate() >= FAILURE_RATIO) {
                    open();
                }
            }
            case OPEN -> {
                // A call admitted before the circuit opened has ended: the opening stands.
            }
        }
    }

    private void open() {
        circuit = Circuit.OPEN;
        openedAt = nanoClock.getAsLong();
        openings++;
    }

    private boolean delayOver() {
        return nanoClock.getAsLong() - openedAt >= delay.toNanos();
    }
}
