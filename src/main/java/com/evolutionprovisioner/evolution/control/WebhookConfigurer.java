package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.EvolutionVersion;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Makes an instance's webhook configuration true, whatever the server version: the configuration sent inside the
 * create body first, then {@code POST /webhook/set} with the body of the server's version (from {@code GET /}), then
 * the others (v2.1 nested, v2.0 and v1 flat; in that order when the version is unknown). Only a read-back through
 * {@code GET /webhook/find} counts as proof: current servers accept some bodies and ignore their fields.
 */
@ApplicationScoped
public class WebhookConfigurer {

    private static final Logger LOG = Logger.getLogger(WebhookConfigurer.class.getName());

    /** Reported when the configuration was already in force before any set call (sent in the create body). */
    public static final String METHOD_CREATE_BODY = "create-body";
    /** Reported when an existing instance already had our configuration. */
    public static final String METHOD_ALREADY_IN_FORCE = "already-in-force";

    private record Method(String name, Function<WebhookSettings, JsonObject> body) {
    }

    private static final Method V2_1 = new Method("webhook-set-v2.1", WebhookSettings::nestedBody);
    private static final Method V2_0 = new Method("webhook-set-v2.0", WebhookSettings::flatV20Body);
    private static final Method V1 = new Method("webhook-set-v1", WebhookSettings::flatV1Body);

    /** The set methods in the order to try them: the version's own body first, then the others, newest first. */
    static List<String> setOrder(Optional<EvolutionVersion> version) {
        return setMethods(version).stream().map(Method::name).toList();
    }

    private static List<Method> setMethods(Optional<EvolutionVersion> version) {
        if (version.isEmpty() || version.get().nestsWebhook()) {
            return List.of(V2_1, V2_0, V1);
        }
        return version.get().isV1() ? List.of(V1, V2_1, V2_0) : List.of(V2_0, V2_1, V1);
    }

    @Inject
    EvolutionClient evolution;

    /**
     * Returns the name of the method whose configuration the read-back confirmed.
     *
     * @throws EvolutionException INSTANCE_MISSING when Evolution no longer knows the instance, REJECTED when no
     *                            method's configuration was confirmed
     */
    public String configure(InstanceName name, WebhookSettings settings, boolean sentInCreateBody) {
        if (settings.isSatisfiedBy(evolution.findWebhook(name))) {
            return sentInCreateBody ? METHOD_CREATE_BODY : METHOD_ALREADY_IN_FORCE;
        }
        List<String> refusals = new ArrayList<>();
        Optional<EvolutionVersion> version = evolution.serverVersion(name);
        List<Method> methods = setMethods(version);
        for (Method method : methods) {
            EvolutionResponse response = evolution.setWebhook(name, method.body().apply(settings));
            if (response.isSuccess() && settings.isSatisfiedBy(evolution.findWebhook(name))) {
                return method.name();
            }
            if (version.isPresent() && method == methods.get(0)) {
                evolution.versionRefused(name);
            }
            String outcome = response.isSuccess() ? "accepted but not in force on read-back" : response.summary();
            refusals.add(method.name() + " " + outcome);
            LOG.info(() -> "Webhook of instance " + name + ": " + method.name() + " " + outcome + "; trying the next method");
        }
        throw EvolutionException.rejected("webhook configuration not confirmed for " + name + ": "
                + String.join("; ", refusals));
    }
}
