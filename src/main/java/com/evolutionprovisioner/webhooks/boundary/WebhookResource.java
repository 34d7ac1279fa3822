package com.evolutionprovisioner.webhooks.boundary;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.platform.LogSafe;
import com.evolutionprovisioner.platform.LogThrottle;
import com.evolutionprovisioner.provisioning.entity.WebhookAuth;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import com.evolutionprovisioner.security.UnreadableSecretException;
import com.evolutionprovisioner.webhooks.control.DeliveryAuthenticator;
import com.evolutionprovisioner.webhooks.control.DeliveryAuthenticator.Credentials;
import com.evolutionprovisioner.webhooks.control.EvolutionClocks;
import com.evolutionprovisioner.webhooks.control.IngestRefusedException;
import com.evolutionprovisioner.webhooks.control.ServerUrlCheck;
import com.evolutionprovisioner.webhooks.control.WebhookMetrics;
import com.evolutionprovisioner.webhooks.control.WebhookIngestor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where Evolution API posts events ({@code byEvents} servers add a suffix such as {@code /messages-upsert}).
 * Request path: read at most 1 MB, authenticate (keys cached), then a durable insert shared with the deliveries that
 * arrive at the same moment (group commit) — nothing slower, Evolution waits on us.
 */
@Path("webhooks/evolution")
@ApplicationScoped // one instance: creating and injecting one per delivery was a tenth of the request threads' CPU
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class.getName());
    static final int MAX_BODY_BYTES = 1024 * 1024;
    /** Unauthenticated senders choose how often they are rejected: one line per 10 s, then a count. */
    private static final LogThrottle REJECTIONS = new LogThrottle(Duration.ofSeconds(10));
    private static final long MAX_DRAINED_BYTES = 16L * 1024 * 1024;
    /** The two answers, written as they are: serialising a map per delivery showed in the profile. */
    private static final String STORED = "{\"received\":true,\"duplicate\":false}";
    private static final String DUPLICATE = "{\"received\":true,\"duplicate\":true}";

    @Inject
    DeliveryAuthenticator authenticator;

    @Inject
    WebhookIngestor ingestor;

    @Inject
    WebhookMetrics metrics;

    @Inject
    EvolutionClocks clocks;

    @Inject
    ServerUrlCheck serverUrl;

    /** The longest a delivery waits for its commit before it is answered 503 (Evolution retries it). */
    @Inject
    @ConfigProperty(name = "webhook.ingest.timeout")
    Duration ingestTimeout;

    @POST
    public void receive(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                        @HeaderParam(WebhookAuth.STATIC_SECRET_HEADER) String staticSecret,
                        @HeaderParam(WebhookSettings.JWT_KEY_HEADER) String rawJwtKey, InputStream body,
                        @Suspended AsyncResponse response) {
        ingest(new Credentials(authorization, staticSecret, rawJwtKey), body, response);
    }

    /** With {@code byEvents} Evolution appends the event to the URL; the payload still names it. */
    @POST
    @Path("{eventSuffix}")
    public void receiveByEvent(@PathParam("eventSuffix") String eventSuffix,
                               @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                               @HeaderParam(WebhookAuth.STATIC_SECRET_HEADER) String staticSecret,
                               @HeaderParam(WebhookSettings.JWT_KEY_HEADER) String rawJwtKey, InputStream body,
                               @Suspended AsyncResponse response) {
        ingest(new Credentials(authorization, staticSecret, rawJwtKey), body, response);
    }

    /**
     * Authenticates on the request thread, then hands the delivery to the ingestor and frees the thread: the answer
     * goes out once the delivery's group commit is done (or failed).
     */
    private void ingest(Credentials credentials, InputStream body, AsyncResponse response) {
        String[] eventName = {null}; // the event the delivery names, once read: the label of a rejection
        try {
            JsonObject payload = authenticated(credentials, body, eventName);
            String event = eventName[0];
            String instance = payload.getString("instance");
            response.setTimeout(ingestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            response.setTimeoutHandler(late -> late.resume(unavailable("The delivery was not stored in time; retry later.")));
            ingestor.store(instance, event, payload).whenComplete((stored, failure) -> {
                if (failure != null) {
                    response.resume(failure instanceof IngestRefusedException refused
                            ? unavailable("The delivery cannot be stored right now (" + refused.getMessage() + "); retry later.")
                            : failure);
                    return;
                }
                metrics.received(event, stored.isEmpty());
                if (stored.isEmpty()) {
                    LOG.fine(() -> "Duplicate webhook " + LogSafe.quote(event) + " for instance " + instance + " ignored");
                }
                response.resume(Response.ok(stored.isEmpty() ? DUPLICATE : STORED, MediaType.APPLICATION_JSON_TYPE).build());
            });
        } catch (ApiException refused) {
            metrics.rejected(eventName[0], refused.status().getStatusCode());
            response.resume(refused);
        } catch (RuntimeException unexpected) {
            response.resume(unexpected);
        }
    }

    /** The payload of an authentic delivery; otherwise the precise 4xx (or 503 when we cannot verify now). */
    private JsonObject authenticated(Credentials credentials, InputStream body, String[] eventName) {
        OffsetDateTime receivedAt = OffsetDateTime.now();
        JsonObject payload = parse(readLimited(body));
        String event = requiredText(payload, "event");
        eventName[0] = event;
        String instanceText = requiredText(payload, "instance");
        JsonValue data = payload.get("data");
        if (data == null || data.getValueType() == JsonValue.ValueType.NULL) {
            throw ApiException.badRequest("Field \"data\" is required.");
        }
        String rejection = rejectionReason(instanceText, credentials);
        if (rejection != null) {
            REJECTIONS.log(LOG, Level.WARNING, "rejected", () -> "Rejected webhook " + LogSafe.quote(event)
                    + " for instance " + LogSafe.quote(instanceText) + ": " + LogSafe.quote(rejection));
            // Same answer whether or not the instance exists: no hint for someone probing names.
            throw ApiException.unauthorized("The delivery is not authenticated for this instance.");
        }
        serverUrl.check(instanceText, optionalText(payload, "server_url"));
        clocks.observe(optionalText(payload, "server_url"), optionalText(payload, "date_time"), receivedAt);
        return payload;
    }

    /** A key we cannot read is our fault, not the sender's: 503, so that Evolution retries once it is fixed. */
    private String rejectionReason(String instanceName, Credentials credentials) {
        try {
            return authenticator.rejectionReason(instanceName, credentials);
        } catch (UnreadableSecretException unreadable) {
            LOG.severe(() -> "Cannot verify webhook deliveries for instance " + LogSafe.quote(instanceName) + ": "
                    + unreadable.getMessage());
            throw unavailable("The delivery cannot be verified right now; retry later.");
        }
    }

    private static ApiException unavailable(String message) {
        return new ApiException(Response.Status.SERVICE_UNAVAILABLE, "unavailable", message);
    }

    private static byte[] readLimited(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                drain(body);
                throw new ApiException(Response.Status.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                        "Webhook bodies are limited to " + MAX_BODY_BYTES + " bytes.");
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.badRequest("The request body could not be read.");
        }
    }

    /** Reads on, up to a bound, so that a client still sending gets the 413 rather than a closed connection. */
    private static void drain(InputStream body) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = MAX_DRAINED_BYTES;
        int read;
        while (left > 0 && (read = body.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
            left -= read;
        }
    }

    private static JsonObject parse(byte[] bytes) {
        try (var reader = JSON.createReader(new ByteArrayInputStream(bytes))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw ApiException.badRequest("The body must be a JSON object.");
            }
            return value.asJsonObject();
        } catch (ApiException notAnObject) {
            throw notAnObject;
        } catch (RuntimeException malformed) {
            // Parsson reports some malformations (nesting too deep) as plain RuntimeExceptions, not JsonExceptions.
            throw new ApiException(Response.Status.BAD_REQUEST, "malformed_json", "The request body is not valid JSON.");
        }
    }

    private static String optionalText(JsonObject payload, String field) {
        return payload.get(field) instanceof JsonString text ? text.getString() : null;
    }

    private static String requiredText(JsonObject payload, String field) {
        if (payload.get(field) instanceof JsonString text && !text.getString().isBlank()) {
            return text.getString();
        }
        throw ApiException.badRequest("Field \"" + field + "\" is required and must be a non-empty string.");
    }
}
