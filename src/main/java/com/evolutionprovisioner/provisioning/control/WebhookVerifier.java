package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.control.EvolutionClient;
import com.evolutionprovisioner.evolution.control.WebhookConfigurer;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.platform.LogSafe;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.WebhookVerificationReport;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Webhook drift repair: reads back each completed instance's webhook ({@code GET /webhook/find}) and, when its URL,
 * events or authentication differ or it is gone (Evolution loses them on restarts), configures it again and reads
 * it back. Runs outside any transaction: Evolution calls take time, and each record update commits on its own.
 */
@ApplicationScoped
public class WebhookVerifier {

    private static final Logger LOG = Logger.getLogger(WebhookVerifier.class.getName());

    private enum Outcome { VERIFIED, REPAIRED, FAILED }

    @Inject
    InstanceRegistry instances;

    @Inject
    EvolutionClient evolution;

    @Inject
    WebhookConfigurer webhooks;

    @Inject
    Provisioner provisioner;

    @Inject
    ProvisioningMetrics metrics;

    /** Verifies the given users' instances, one after the other. */
    public WebhookVerificationReport verify(Collection<UserId> users) {
        long verified = 0;
        long repaired = 0;
        long failed = 0;
        for (UserId user : users) {
            switch (verify(user)) {
                case VERIFIED -> verified++;
                case REPAIRED -> repaired++;
                case FAILED -> failed++;
            }
        }
        return new WebhookVerificationReport(verified, repaired, failed);
    }

    private Outcome verify(UserId user) {
        Optional<EvolutionInstance> found = instances.findByUser(user);
        if (found.isEmpty()) {
            return Outcome.FAILED; // erased since it was chosen
        }
        EvolutionInstance instance = found.get();
        InstanceName name = instance.getInstanceName();
        try {
            WebhookSettings settings = provisioner.webhookSettings(instance);
            if (settings.isSatisfiedBy(evolution.findWebhook(name))) {
                instances.update(user, EvolutionInstance::recordWebhookVerified);
                return Outcome.VERIFIED;
            }
            String method = webhooks.configure(name, settings, false);
            instances.update(user, record -> record.recordWebhookConfigured(settings.url(), settings.events(), method));
            metrics.webhookDriftRepaired();
            LOG.warning(() -> "Webhook of instance " + name + " (user " + user + ") had drifted (missing, or another URL, "
                    + "events or key) and was configured again by " + method + ", confirmed by a read-back");
            return Outcome.REPAIRED;
        } catch (EvolutionException failure) {
            LOG.warning(() -> "Webhook of instance " + name + " (user " + user + ") could not be verified or repaired ("
                    + failure.kind() + "): " + LogSafe.quote(failure.getMessage())
                    + (failure.kind() == EvolutionException.Kind.INSTANCE_MISSING
                    ? "; Evolution no longer knows the instance: repair it with POST /api/instances" : ""));
            return Outcome.FAILED;
        } catch (RuntimeException failure) {
            LOG.log(Level.WARNING, "Webhook of instance " + name + " (user " + user + ") could not be verified", failure);
            return Outcome.FAILED;
        }
    }
}
