package com.evolutionprovisioner.simulator;

import com.evolutionprovisioner.simulator.WebhookSender.Emission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The deliveries Evolution makes by itself (QR codes, pairing, instance removal), each on its own thread with the
 * release's retries, as Evolution fires them without awaiting one another. They run at the pace of one
 * {@link RetryPlan} (real time unless a test speeds it up). Thread-safe.
 */
final class EventDeliveries implements SimulatedEvolution.Emitter {

    private static final System.Logger LOG = System.getLogger(EventDeliveries.class.getName());

    private final WebhookSender webhooks;
    private volatile RetryPlan plan = RetryPlan.REAL_TIME;
    private volatile ExecutorService executor = newExecutor();

    EventDeliveries(WebhookSender webhooks) {
        this.webhooks = webhooks;
    }

    void setPlan(RetryPlan plan) {
        this.plan = Objects.requireNonNull(plan, "plan");
    }

    /** Delivers all of them at once, none awaiting another, and waits for every one to finish its retries. */
    List<DeliveryAttempts> deliverAll(List<Emission> emissions) {
        List<Future<DeliveryAttempts>> pending = new ArrayList<>();
        emissions.forEach(emission -> pending.add(executor.submit(() -> deliver(emission))));
        List<DeliveryAttempts> results = new ArrayList<>();
        try {
            for (Future<DeliveryAttempts> delivery : pending) {
                DeliveryAttempts attempts = delivery.get();
                if (attempts != null) {
                    results.add(attempts);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delivering " + emissions, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("delivery failed: " + e.getCause(), e.getCause());
        }
        return results;
    }

    @Override
    public void fire(Emission emission) {
        run(() -> {
            try {
                deliver(emission);
            } catch (InterruptedException reset) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void afterDelivery(Emission emission, Duration minimum, Runnable then) {
        run(() -> {
            long end = System.nanoTime() + minimum.toNanos();
            try {
                if (emission != null) {
                    deliver(emission);
                }
                TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
                then.run();
            } catch (InterruptedException reset) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException resetOrClosed) {
            // the simulator is being reset or closed: whatever this was, it belongs to the state being dropped
        }
    }

    /** Abandons every delivery under way (their threads are interrupted) and goes back to real time. */
    void reset() {
        executor.shutdownNow();
        executor = newExecutor();
        plan = RetryPlan.REAL_TIME;
    }

    void close() {
        executor.shutdownNow();
    }

    /** One event with its retries; null when Evolution would send nothing after all (e.g. an unusable jwt_key). */
    private DeliveryAttempts deliver(Emission emission) throws InterruptedException {
        RetryPlan current = plan;
        PreparedDelivery delivery;
        try {
            delivery = webhooks.prepare(emission, current.startedAgo());
        } catch (IllegalStateException nothingSent) {
            LOG.log(System.Logger.Level.INFO, "Simulated Evolution sends no {0} for {1}: {2}",
                    emission.event(), emission.target().instanceName(), nothingSent.getMessage());
            return null;
        }
        DeliveryAttempts attempts = WebhookSender.retry(delivery, RetrySchedule.of(emission.version()), current);
        if (!attempts.accepted()) {
            LOG.log(System.Logger.Level.INFO, "Simulated Evolution gave up on {0} for {1} after statuses {2}",
                    emission.event(), emission.target().instanceName(), attempts.statuses());
        }
        return attempts;
    }

    private static ExecutorService newExecutor() {
        return Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "evolution-simulator-events");
            thread.setDaemon(true);
            return thread;
        });
    }
}
