package com.evolutionprovisioner.webhooks.boundary;

import com.evolutionprovisioner.platform.work.SafetyNetRound;
import com.evolutionprovisioner.platform.work.SafetyNetTimer;
import com.evolutionprovisioner.webhooks.control.WebhookEventDispatcher;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Safety net for event application, as QueuePoller is for provisioning: every WEBHOOK_APPLY_POLL_INTERVAL, the
 * pipeline's {@link SafetyNetRound} applies stored events still unapplied one interval after they arrived (broker
 * down, a lost message), through the broker when it is back, directly otherwise.
 */
@Singleton
@Startup
@DependsOn("DatabaseMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class UnappliedEventsPoller {

    @Resource
    TimerService timerService;

    @Inject
    WebhookEventDispatcher events;

    @Inject
    @ConfigProperty(name = "webhook.apply.poll.interval")
    Duration pollInterval;

    @Inject
    @ConfigProperty(name = "webhook.apply.poll.batch.size")
    int batchSize;

    private SafetyNetRound round;

    @PostConstruct
    void schedule() {
        round = new SafetyNetRound(events, pollInterval, batchSize);
        SafetyNetTimer.start(timerService, "unapplied-webhook-events-poller", pollInterval);
    }

    @Timeout
    void onTimer() {
        // Nothing of its own before the round: event application has no claim to take over or reset.
        round.run();
    }
}
