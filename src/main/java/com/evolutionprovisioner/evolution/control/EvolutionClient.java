package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.evolution.entity.ConnectResult;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.InstanceRemoval;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * The Evolution API operations we use. Transient failures (5xx, timeouts, refused connections, a full bulkhead)
 * are retried on the exponential {@link RetrySchedule}; 4xx answers are returned for the caller to interpret
 * (a 403 on create means "already exists", not "failed"). An open circuit is not retried: the queue will.
 */
@ApplicationScoped
public class EvolutionClient {

    private static final Logger LOG = Logger.getLogger(EvolutionClient.class.getName());

    @Inject
    EvolutionTransport transport;

    RetrySchedule schedule = RetrySchedule.standard();

    public EvolutionResponse createInstance(JsonObject body) {
        return call("POST", "/instance/create", Map.of(), body);
    }

    /** The instance as Evolution lists it, or empty when Evolution does not know the name. */
    public Optional<JsonObject> fetchInstance(InstanceName name) {
        EvolutionResponse response = call("GET", "/instance/fetchInstances", Map.of("instanceName", name.value()), null);
        if (response.status() == 404) {
            return Optional.empty();
        }
        requireSuccess(response, "fetchInstances " + name);
        JsonValue value = response.json();
        if (value.getValueType() == JsonValue.ValueType.ARRAY) {
            return value.asJsonArray().stream()
                    .filter(item -> item.getValueType() == JsonValue.ValueType.OBJECT)
                    .map(JsonValue::asJsonObject)
                    .findFirst();
        }
        return value.getValueType() == JsonValue.ValueType.OBJECT ? Optional.of(value.asJsonObject()) : Optional.empty();
    }

    public EvolutionResponse setWebhook(InstanceName name, JsonObject body) {
        return requireInstance(call("POST", "/webhook/set/" + name.value(), Map.of(), body), "webhook/set", name);
    }

    /** The stored webhook row, or JSON null when none is set. */
    public JsonValue findWebhook(InstanceName name) {
        EvolutionResponse response = requireInstance(call("GET", "/webhook/find/" + name.value(), Map.of(), null),
                "webhook/find", name);
        requireSuccess(response, "webhook/find " + name);
        return response.json();
    }

    /** Evolution's view of the instance's connection: {@code open}, {@code connecting} or {@code close}. */
    public String connectionState(InstanceName name) {
        EvolutionResponse response = requireInstance(call("GET", "/instance/connectionState/" + name.value(), Map.of(),
                null), "connectionState", name);
        requireSuccess(response, "connectionState " + name);
        return ConnectResult.parseConnectionState(response.json());
    }

    /**
     * Connects the instance: an open one answers its state, a connecting one its current QR code, a closed one
     * starts a session and answers its first QR code (with a pairing code when {@code phoneNumber} is given).
     */
    public ConnectResult connect(InstanceName name, Optional<String> phoneNumber) {
        EvolutionResponse response = requireInstance(call("GET", "/instance/connect/" + name.value(),
                phoneNumber.map(number -> Map.of("number", number)).orElse(Map.of()), null), "connect", name);
        requireSuccess(response, "connect " + name);
        return ConnectResult.parse(response.json());
    }

    /** Restarts an open or connecting instance's session; Evolution answers as connect does. */
    public ConnectResult restart(InstanceName name) {
        EvolutionResponse response = requireInstance(call("POST", "/instance/restart/" + name.value(), Map.of(), null),
                "restart", name);
        requireSuccess(response, "restart " + name);
        return ConnectResult.parse(response.json());
    }

    /**
     * Ends the instance's WhatsApp session (the phone is unlinked). Returns false when there was no session to end:
     * servers before 2.4 answer 400 "not connected" for a closed instance, 2.4 a success.
     */
    public boolean logout(InstanceName name) {
        EvolutionResponse response = requireInstance(call("DELETE", "/instance/logout/" + name.value(), Map.of(), null),
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
        EvolutionResponse response = call("DELETE", "/instance/delete/" + name.value(), Map.of(), null);
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

    public static void requireSuccess(EvolutionResponse response, String what) {
        if (!response.isSuccess()) {
            throw EvolutionException.rejected(what + ": " + response.summary());
        }
    }

    private EvolutionResponse call(String method, String path, Map<String, String> query, JsonObject body) {
        for (int retry = 0; ; retry++) {
            try {
                EvolutionResponse response = transport.exchange(method, path, query, body);
                if (response.isLicenceRequired()) {
                    throw EvolutionException.licenceRequired("Evolution API is not activated (licence required): "
                            + response.summary());
                }
                return response;
            } catch (RuntimeException failure) {
                if (!isTransient(failure) || retry >= schedule.maxRetries()) {
                    throw asEvolutionException(method, path, failure);
                }
                // @Timeout interrupts the calling thread when a call overruns; that interrupt was aimed at the call
                // that has now ended, and must not cut short the pause before the next try.
                Thread.interrupted();
                long pause = schedule.delay(retry + 1).toMillis();
                int nextTry = retry + 2;
                LOG.info(() -> method + " " + path + " failed (" + failure.getMessage() + "); try " + nextTry
                        + " in " + pause + " ms");
                sleep(pause);
            }
        }
    }

    private static boolean isTransient(RuntimeException failure) {
        return failure instanceof TimeoutException || failure instanceof BulkheadException
                || failure instanceof EvolutionException evolution && evolution.isTransient();
    }

    private static EvolutionException asEvolutionException(String method, String path, RuntimeException failure) {
        if (failure instanceof EvolutionException evolution) {
            return evolution;
        }
        String reason = failure instanceof TimeoutException ? "timed out"
                : failure.getClass().getSimpleName().contains("CircuitBreakerOpen") ? "circuit open, Evolution API deemed down"
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
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
