package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.ConnectResult;
import com.evolutionprovisioner.evolution.entity.ConnectionState;
import com.evolutionprovisioner.evolution.entity.CreateOutcome;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.EvolutionVersion;
import com.evolutionprovisioner.evolution.entity.InstanceIdentity;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.InstanceRemoval;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.evolution.entity.WebhookState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The Evolution API operations we use, as typed results whatever the server version (the wire formats live in
 * {@link EvolutionWire}). Each call goes to the server the instance is placed on. Transient failures (5xx, timeouts,
 * refused connections, a full bulkhead) are retried on the exponential {@link RetrySchedule}; an open circuit is not
 * retried: the queue will. A 404 on a route that names an
 * instance is {@link EvolutionException.Kind#INSTANCE_MISSING}; the licence gate is LICENCE_REQUIRED.
 */
@ApplicationScoped
public class EvolutionClient {

    private static final Logger LOG = Logger.getLogger(EvolutionClient.class.getName());

    @Inject
    EvolutionTransport transport;

    RetrySchedule schedule = RetrySchedule.standard();

    /**
     * Creates the instance, with our webhook in the create body when the server's version takes it there (v2.1+).
     * When the version is unknown the webhook is tried in the body first: servers before v2.1 refuse it with a 400,
     * and get a create without it (the webhook is then configured on its own). A 400 where the version promised
     * the nested webhook makes the version be read again.
     */
    public CreateOutcome createInstance(InstanceName name, WebhookSettings webhook) {
        try {
            Optional<EvolutionVersion> version = transport.versionFor(name);
            if (version.isPresent() && !version.get().nestsWebhook()) {
                return createOutcome(name, call(name, "POST", "/instance/create", Map.of(),
                        EvolutionWire.createBody(name, webhook, false)), false);
            }
            EvolutionResponse withWebhook = call(name, "POST", "/instance/create", Map.of(),
                    EvolutionWire.createBody(name, webhook, true));
            if (withWebhook.status() != 400) {
                return createOutcome(name, withWebhook, true);
            }
            if (version.isPresent()) {
                transport.versionRefused(name);
            }
            LOG.info(() -> "Create of " + name + " with webhook refused (" + withWebhook.summary() + "); creating without it");
            return createOutcome(name, call(name, "POST", "/instance/create", Map.of(),
                    EvolutionWire.createBody(name, webhook, false)), false);
        } catch (EvolutionException licence) {
            if (licence.kind() != EvolutionException.Kind.LICENCE_REQUIRED) {
                throw licence;
            }
            return CreateOutcome.licenceRequired(licence.getMessage());
        }
    }

    /** The version of the server the instance is placed on, when known or readable now. */
    Optional<EvolutionVersion> serverVersion(InstanceName name) {
        return transport.versionFor(name);
    }

    /** The version of the instance's server selected a shape the server refused: read it again next time. */
    void versionRefused(InstanceName name) {
        transport.versionRefused(name);
    }

    private static CreateOutcome createOutcome(InstanceName name, EvolutionResponse response, boolean webhookInBody) {
        if (response.isSuccess()) {
            return CreateOutcome.created(EvolutionWire.createdIdentity(name, response.json()), webhookInBody);
        }
        // instance.guard.ts: {"status":403,…,"response":{"message":["This name \"…\" is already in use."]}}
        if (response.status() == 403 && response.body() != null && response.body().contains("already in use")) {
            return CreateOutcome.alreadyExists();
        }
        return CreateOutcome.rejected(response.summary());
    }

    /** Who the instance is, as Evolution lists it, or empty when Evolution does not know the name. */
    public Optional<InstanceIdentity> fetchInstance(InstanceName name) {
        EvolutionResponse response = call(name, "GET", "/instance/fetchInstances", Map.of("instanceName", name.value()), null);
        if (response.status() == 404) {
            return Optional.empty();
        }
        requireSuccess(response, "fetchInstances " + name);
        return EvolutionWire.fetchedIdentity(name, response.json());
    }

    /** {@code POST /webhook/set} with one server version's body; the answer says whether this version took it. */
    EvolutionResponse setWebhook(InstanceName name, JsonObject body) {
        return requireInstance(call(name, "POST", "/webhook/set/" + name.value(), Map.of(), body), "webhook/set", name);
    }

    /** The instance's webhook as Evolution reports it, or empty when none is set. */
    public Optional<WebhookState> findWebhook(InstanceName name) {
        EvolutionResponse response = requireInstance(call(name, "GET", "/webhook/find/" + name.value(), Map.of(), null),
                "webhook/find", name);
        requireSuccess(response, "webhook/find " + name);
        return EvolutionWire.webhookState(response.json());
    }

    /** Evolution's view of the instance's connection. */
    public ConnectionState connectionState(InstanceName name) {
        EvolutionResponse response = requireInstance(call(name, "GET", "/instance/connectionState/" + name.value(), Map.of(),
                null), "connectionState", name);
        requireSuccess(response, "connectionState " + name);
        return EvolutionWire.connectionState(response.json());
    }

    /**
     * Connects the instance: an open one answers its state, a connecting one its current QR code, a closed one
     * starts a session and answers its first QR code (with a pairing code when {@code phoneNumber} is given).
     */
    public ConnectResult connect(InstanceName name, Optional<String> phoneNumber) {
        EvolutionResponse response = requireInstance(call(name, "GET", "/instance/connect/" + name.value(),
                phoneNumber.map(number -> Map.of("number", number)).orElse(Map.of()), null), "connect", name);
        requireSuccess(response, "connect " + name);
        return ConnectResult.parse(response.json());
    }

    /** Restarts an open or connecting instance's session; Evolution answers as connect does. */
    public ConnectResult restart(InstanceName name) {
        EvolutionResponse response = requireInstance(call(name, "POST", "/instance/restart/" + name.value(), Map.of(), null),
                "restart", name);
        requireSuccess(response, "restart " + name);
        return ConnectResult.parse(response.json());
    }

    /**
     * Ends the instance's WhatsApp session (the phone is unlinked). Returns false when there was no session to end:
     * servers before 2.4 answer 400 "not connected" for a closed instance, 2.4 a success.
     */
    public boolean logout(InstanceName name) {
        EvolutionResponse response = requireInstance(call(name, "DELETE", "/instance/logout/" + name.value(), Map.of(), null),
                "logout", name);
        if (response.status() == 400 && response.body() != null && response.body().contains("not connected")) {
            return false;
        }
        requireSuccess(response, "logout " + name);
        return true;
    }

    /**
     * Deletes the instance (Evolution logs out an open one first). A 404 means it is gone already. Evolution removes
     * the instance after it answers: {@link #fetchInstance} tells when it has.
     */
    public InstanceRemoval delete(InstanceName name) {
        EvolutionResponse response = call(name, "DELETE", "/instance/delete/" + name.value(), Map.of(), null);
        if (response.status() == 404) {
            return InstanceRemoval.ALREADY_GONE;
        }
        requireSuccess(response, "delete " + name);
        return InstanceRemoval.REQUESTED;
    }

    /** Routes on /{instanceName} answer 404 when Evolution does not know the instance (its instanceExistsGuard). */
    private static EvolutionResponse requireInstance(EvolutionResponse response, String what, InstanceName name) {
        if (response.status() == 404) {
            throw EvolutionException.instanceMissing(what + " " + name + ": Evolution does not know the instance ("
                    + response.summary() + ")");
        }
        return response;
    }

    private static void requireSuccess(EvolutionResponse response, String what) {
        if (!response.isSuccess()) {
            throw EvolutionException.rejected(what + ": " + response.summary());
        }
    }

    private EvolutionResponse call(InstanceName name, String method, String path, Map<String, String> query,
                                   JsonObject body) {
        for (int retry = 0; ; retry++) {
            try {
                EvolutionResponse response = transport.exchange(name, method, path, query, body);
                if (response.isLicenceRequired()) {
                    throw EvolutionException.licenceRequired("Evolution API is not activated (licence required): "
                            + response.summary());
                }
                return response;
            } catch (RuntimeException failure) {
                if (!isTransient(failure) || retry >= schedule.maxRetries()) {
                    throw asEvolutionException(method, path, failure);
                }
                long pause = schedule.delay(retry + 1).toMillis();
                int nextTry = retry + 2;
                LOG.info(() -> method + " " + path + " failed (" + failure.getMessage() + "); try " + nextTry
                        + " in " + pause + " ms");
                sleep(pause);
            }
        }
    }

    private static boolean isTransient(RuntimeException failure) {
        return failure instanceof ServerGuard.BulkheadFullException
                || failure instanceof EvolutionException evolution && evolution.isTransient();
    }

    private static EvolutionException asEvolutionException(String method, String path, RuntimeException failure) {
        if (failure instanceof EvolutionException evolution) {
            return evolution;
        }
        String reason = failure instanceof ServerGuard.CircuitOpenException
                || failure instanceof ServerGuard.BulkheadFullException
                ? failure.getMessage() : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        return EvolutionException.unavailable(method + " " + path + " " + reason, failure);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EvolutionException.unavailable("interrupted while waiting to retry", e);
        }
    }
}
