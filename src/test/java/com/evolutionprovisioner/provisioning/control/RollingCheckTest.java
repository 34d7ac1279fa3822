package com.evolutionprovisioner.provisioning.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The share of a rolling check per tick (every instance once per interval, evenly, never zero of many) and its one
 * round at a time: a tick during a round is skipped, an operator's full round waits for it.
 */
class RollingCheckTest {

    private static final Duration SIX_HOURS = Duration.ofHours(6);

    @Test
    void eachTickTakesTheCeilingOfItsShare() {
        RollingCheck check = new RollingCheck("test", SIX_HOURS);
        assertThat(check.tick()).isEqualTo(Duration.ofMinutes(1));
        assertThat(check.dueEachTick(0)).isZero();
        assertThat(check.dueEachTick(1)).isEqualTo(1);
        assertThat(check.dueEachTick(360)).isEqualTo(1);
        assertThat(check.dueEachTick(361)).isEqualTo(2);
        assertThat(check.dueEachTick(100_000)).isEqualTo(278);
    }

    @Test
    void theDefaultStateCheckIntervalTakesAFifteenthEachMinute() {
        RollingCheck check = new RollingCheck("test", Duration.ofMinutes(15));
        assertThat(check.dueEachTick(15)).isEqualTo(1);
        assertThat(check.dueEachTick(16)).isEqualTo(2);
        assertThat(check.dueEachTick(3000)).isEqualTo(200);
    }

    @Test
    void anIntervalNoLongerThanAMinuteIsItsOwnTickAndTakesEveryone() {
        RollingCheck check = new RollingCheck("test", Duration.ofSeconds(30));
        assertThat(check.tick()).isEqualTo(Duration.ofSeconds(30));
        assertThat(check.dueEachTick(50)).isEqualTo(50);
    }

    @Test
    void aZeroIntervalIsRefused() {
        assertThatThrownBy(() -> new RollingCheck("State check", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("State check");
    }

    @Test
    void aTickDuringARoundIsSkippedAndAFullRoundWaitsForIt() throws Exception {
        RollingCheck check = new RollingCheck("test", Duration.ofMinutes(15));
        CountDownLatch roundStarted = new CountDownLatch(1);
        CountDownLatch finishRound = new CountDownLatch(1);
        List<String> order = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> slowRound = threads.submit(() -> check.onTick(() -> 30, share -> {
                roundStarted.countDown();
                await(finishRound);
                synchronized (order) {
                    order.add("round of " + share);
                }
            }));
            assertThat(roundStarted.await(5, TimeUnit.SECONDS)).isTrue();

            check.onTick(() -> 30, share -> order.add("overlapping tick"));
            Future<String> full = threads.submit(() -> check.everyInstanceNow(() -> {
                synchronized (order) {
                    order.add("full round");
                }
                return "done";
            }));
            Thread.sleep(200);
            synchronized (order) {
                assertThat(order).as("the full round waits").isEmpty();
            }
            finishRound.countDown();

            assertThat(full.get(5, TimeUnit.SECONDS)).isEqualTo("done");
            slowRound.get(5, TimeUnit.SECONDS);
            assertThat(order).containsExactly("round of 2", "full round");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aFailedRoundReleasesTheNextOne() {
        RollingCheck check = new RollingCheck("test", Duration.ofMinutes(15));
        check.onTick(() -> 1, share -> {
            throw new IllegalStateException("database gone");
        });
        List<Integer> shares = new ArrayList<>();
        check.onTick(() -> 1, shares::add);
        assertThat(shares).containsExactly(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
