package com.evolutionprovisioner.evolution.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.control.ServerGuard.Circuit;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** One server's bulkhead and circuit breaker, on a clock the test moves. */
class ServerGuardTest {

    private static final Duration DELAY = Duration.ofSeconds(15);
    private static final Duration BULKHEAD_WAIT = Duration.ofMillis(200);

    private final AtomicLong now = new AtomicLong();
    private final List<String> transitions = new ArrayList<>();
    private final ServerGuard guard = new ServerGuard("primary", 2, BULKHEAD_WAIT, DELAY, now::get, new ServerGuard.Transitions() {
        @Override
        public void opened(String server) {
            transitions.add("opened " + server);
        }

        @Override
        public void closed(String server) {
            transitions.add("closed " + server);
        }
    });

    @Test
    void halfOfTenCallsFailingOpensTheCircuitAndItRefusesCallsWithoutMakingThem() {
        for (int i = 0; i < 5; i++) {
            succeed();
        }
        for (int i = 0; i < 4; i++) {
            fail();
        }
        assertThat(guard.circuit()).as("9 calls are not a full window").isEqualTo(Circuit.CLOSED);

        fail();

        assertThat(guard.circuit()).isEqualTo(Circuit.OPEN);
        assertThat(transitions).containsExactly("opened primary");
        assertThat(guard.recentFailureRate()).isEqualTo(0.5);
        int[] made = {0};
        assertThatThrownBy(() -> guard.call(() -> made[0]++)).isInstanceOf(ServerGuard.CircuitOpenException.class)
                .hasMessageContaining("primary");
        assertThat(made[0]).isZero();
        assertThat(guard.openings()).isEqualTo(1);
        assertThat(guard.failures()).isEqualTo(5);
    }

    @Test
    void fewerThanHalfFailingKeepsItClosed() {
        for (int i = 0; i < 6; i++) {
            succeed();
        }
        for (int i = 0; i < 4; i++) {
            fail();
        }

        assertThat(guard.circuit()).isEqualTo(Circuit.CLOSED);
        assertThat(guard.recentFailureRate()).isEqualTo(0.4);
    }

    @Test
    void twoFailuresInARowMakeItUnhealthyUntilASuccessOrAMinuteWithoutCalls() {
        succeed();
        fail();
        assertThat(guard.isUnhealthy()).as("one failure").isFalse();
        fail();
        assertThat(guard.circuit()).as("3 calls are not a full window").isEqualTo(Circuit.CLOSED);
        assertThat(guard.isUnhealthy()).isTrue();

        succeed();
        assertThat(guard.isUnhealthy()).isFalse();

        fail();
        fail();
        now.addAndGet(ServerGuard.RECENT.toNanos() - 1);
        assertThat(guard.isUnhealthy()).isTrue();
        now.addAndGet(1);
        assertThat(guard.isUnhealthy()).as("no call for a minute").isFalse();
    }

    @Test
    void onlyTheCallsOfTheLastMinuteCountInTheRecentFailureRate() {
        fail();
        fail();
        now.addAndGet(ServerGuard.RECENT.toNanos());
        succeed();

        assertThat(guard.recentFailureRate()).isZero();
    }

    @Test
    void afterTheDelayTwoSuccessesCloseIt() {
        openCircuit();
        now.addAndGet(DELAY.toNanos() - 1);
        assertThat(guard.circuit()).isEqualTo(Circuit.OPEN);

        now.addAndGet(1);

        assertThat(guard.circuit()).isEqualTo(Circuit.HALF_OPEN);
        succeed();
        assertThat(guard.circuit()).isEqualTo(Circuit.HALF_OPEN);
        succeed();
        assertThat(guard.circuit()).isEqualTo(Circuit.CLOSED);
        assertThat(transitions).containsExactly("opened primary", "closed primary");
        assertThat(guard.recentFailureRate()).as("a new window").isZero();
    }

    @Test
    void aFailureWhileHalfOpenOpensItAgainForAnotherDelay() {
        openCircuit();
        now.addAndGet(DELAY.toNanos());

        fail();

        assertThat(guard.circuit()).isEqualTo(Circuit.OPEN);
        assertThat(guard.openings()).isEqualTo(2);
        now.addAndGet(DELAY.toNanos() - 1);
        assertThatThrownBy(() -> guard.call(() -> "x")).isInstanceOf(ServerGuard.CircuitOpenException.class);
    }

    @Test
    void aFullBulkheadRefusesAfterItsWaitAndDoesNotCountAsAFailure() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> holders = holdBothCalls(guard, release);

        for (int i = 0; i < 3; i++) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> guard.call(() -> "x")).isInstanceOf(ServerGuard.BulkheadFullException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(BULKHEAD_WAIT);
        }

        release.countDown();
        for (Thread holder : holders) {
            holder.join(5_000);
        }
        assertThat(guard.failures()).isZero();
        assertThat(guard.circuit()).isEqualTo(Circuit.CLOSED);
        assertThat(guard.call(() -> "free again")).isEqualTo("free again");
    }

    @Test
    void aCallWaitingForTheBulkheadIsMadeWhenACallEnds() throws Exception {
        ServerGuard patient = new ServerGuard("primary", 2, Duration.ofSeconds(30), DELAY, now::get, new ServerGuard.Transitions() {
            @Override
            public void opened(String server) {
            }

            @Override
            public void closed(String server) {
            }
        });
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> holders = holdBothCalls(patient, release);
        AtomicReference<String> answer = new AtomicReference<>();
        Thread waiting = new Thread(() -> answer.set(patient.call(() -> "made")));
        waiting.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiting.getState() != Thread.State.TIMED_WAITING && waiting.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(waiting.getState()).as("waiting for the bulkhead, not refused").isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(answer.get()).isNull();

        release.countDown();
        waiting.join(10_000);
        for (Thread holder : holders) {
            holder.join(5_000);
        }
        assertThat(answer.get()).isEqualTo("made");
        assertThat(patient.failures()).isZero();
    }

    /** Two threads inside {@code guard} (its whole bulkhead) until {@code release}. */
    private static List<Thread> holdBothCalls(ServerGuard guard, CountDownLatch release) throws InterruptedException {
        CountDownLatch inside = new CountDownLatch(2);
        List<Thread> holders = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread holder = new Thread(() -> guard.call(() -> {
                inside.countDown();
                awaitQuietly(release);
                return null;
            }));
            holder.start();
            holders.add(holder);
        }
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
        return holders;
    }

    private void openCircuit() {
        for (int i = 0; i < 10; i++) {
            fail();
        }
        assertThat(guard.circuit()).isEqualTo(Circuit.OPEN);
    }

    private void succeed() {
        guard.call(() -> "ok");
    }

    private void fail() {
        assertThatThrownBy(() -> guard.call(() -> {
            throw EvolutionException.unavailable("HTTP 503", null);
        })).isInstanceOf(EvolutionException.class);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
