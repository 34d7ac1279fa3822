package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.control.EvolutionPool;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.profiles.control.ProfileService;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.security.UserId;
import com.evolutionprovisioner.webhooks.control.WebhookDataErasure;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Erases a deprovisioned user's data in one transaction, each table through the component that owns it: what the
 * webhooks component keeps of the instance (by its name), the instance record with its keys and state history, then the profile, whose
 * deletion takes the queue row and its action allowance with it, and the instance's placement on its Evolution server
 * (freeing its room there). All of it, or nothing.
 */
@Stateless
public class UserErasure {

    /** What went: the instance's name (none when it was never recorded), its webhook rows and connection history. */
    public record Erased(Optional<InstanceName> instanceName, WebhookDataErasure.Erased webhookData,
                         int connectionHistory) {
    }

    @Inject
    ProvisioningQueue queue;

    @Inject
    InstanceRegistry instances;

    @Inject
    WebhookDataErasure webhookData;

    @Inject
    ProfileService profiles;

    @Inject
    EvolutionPool pool;

    /** Erases the user's data if this node still holds their row for deprovisioning; empty when it does not. */
    public Optional<Erased> erase(long entryId, UserId user) {
        if (!queue.holdForErasure(entryId)) {
            return Optional.empty();
        }
        Optional<InstanceName> name = instances.findByUser(user).map(EvolutionInstance::getInstanceName);
        WebhookDataErasure.Erased webhookRows = name.map(webhookData::eraseInstance)
                .orElse(new WebhookDataErasure.Erased(0, 0));
        int history = name.map(instances::eraseConnectionHistory).orElse(0);
        instances.erase(user);
        name.ifPresent(pool::release);
        profiles.erase(user);
        return Optional.of(new Erased(name, webhookRows, history));
    }
}
