package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.provisioning.control.InstanceActionLimit;
import com.evolutionprovisioner.provisioning.control.InstanceLifecycle;
import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.control.ProvisioningDispatcher;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.FailureCode;
import com.evolutionprovisioner.provisioning.entity.Pairing;
import com.evolutionprovisioner.provisioning.entity.PhoneNumber;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueStatus;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.Caller;
import com.evolutionprovisioner.security.CurrentCaller;
import com.evolutionprovisioner.security.SignupRules;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * A user's view of their provisioning, and the "create or repair my instance" action (the seed's
 * create-evolution-instance function). The action only queues work, within a per-user allowance: an attempt takes
 * seconds of Evolution calls and belongs to the workers, not to an HTTP thread. Evolution's keys never appear here,
 * and a user sees why an attempt failed as a coarse code; the detail is for the service role. The owner's pairing
 * actions (connect, logout, reconnect) count against the same allowance.
 */
@Path("instances")
@RequestScoped
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class InstancesResource {

    private static final Logger LOG = Logger.getLogger(InstancesResource.class.getName());

    @Inject
    CurrentCaller currentCaller;

    @Inject
    ProvisioningQueue queue;

    @Inject
    InstanceRegistry instances;

    @Inject
    ProvisioningDispatcher dispatcher;

    @Inject
    InstanceActionLimit actionLimit;

    @Inject
    InstanceLifecycle lifecycle;

    @Context
    UriInfo uriInfo;

    /**
     * What a client may know of a user's provisioning; fields without a value are sent as null, not left out —
     * except {@code lastError}, the internal detail, which only the service role's view carries. {@code operation}
     * says whether the row is creating the instance ({@code provision}), deleting the user ({@code deprovision}) or
     * moving a never-paired instance to another Evolution server ({@code relocate}, then {@code provision} again).
     * While every server is full the row is {@code pending} with errorCode {@code no_capacity}.
     */
    @JsonbNillable
    public record ProvisioningStatus(String userId, String status, int attempts, int maxAttempts, String instanceName,
                                     boolean webhookConfigured, String webhookMethod, String connectionState,
                                     String qrCode, OffsetDateTime qrCodeUpdatedAt, String errorCode,
                                     @JsonbNillable(false) String lastError,
                                     OffsetDateTime nextAttemptAt, OffsetDateTime createdAt, OffsetDateTime completedAt,
                                     String operation) {
    }

    public record InstanceRequest(String userId, Boolean fromQueue) {
    }

    /** A lifecycle action's body, all optional: the phone number for a pairing code, the user the service role names. */
    public record LifecycleRequest(String number, String userId) {
    }

    @GET
    @Path("me")
    public ProvisioningStatus mine() {
        Caller caller = currentCaller.get();
        return statusOf(caller.requireUser(), caller);
    }

    /** The status of the named user: the service role's way to follow anyone; a user may name only themself. */
    @GET
    @Path("{userId}")
    public ProvisioningStatus ofUser(@PathParam("userId") String userId) {
        Caller caller = currentCaller.get();
        return statusOf(caller.actingFor(userId), caller);
    }

    /**
     * Creates or repairs the caller's instance (the service role may name any user). A completed user answers 200
     * and costs nothing; otherwise 202 with the status and where to follow it: a failed row is re-queued and a
     * pending one nudged, for the workers to take; a row a worker holds is left to it.
     */
    @POST
    @SignupRules
    @Consumes(MediaType.APPLICATION_JSON)
    public Response createOrRepair(InstanceRequest request) {
        Caller caller = currentCaller.get();
        UserId user = caller.actingFor(request == null ? null : request.userId());
        QueueEntry entry = queue.findByUser(user).orElseThrow(() -> ApiException.notFound("No profile for this user."));
        if (entry.getStatus() == QueueStatus.COMPLETED) {
            return Response.ok(statusOf(user, caller)).build();
        }
        if (entry.getStatus() == QueueStatus.PROCESSING) {
            return Response.accepted(statusOf(user, caller)).location(statusUrl(user, caller)).build();
        }
        requireAllowance(caller, user);
        if (entry.getStatus() == QueueStatus.FAILED && queue.requeue(user).isPresent()) {
            LOG.info(() -> "User " + user + "'s failed provisioning re-queued through the API");
        }
        // The answer shows the row as this request left it, before a worker can take it.
        ProvisioningStatus queued = statusOf(user, caller);
        dispatcher.dispatch(entry.getId(), user, "api", Duration.ZERO);
        return Response.accepted(queued).location(statusUrl(user, caller)).build();
    }

    /**
     * Pairing: the QR code to scan (and a pairing code when {@code number} is given), or the state when there is
     * nothing to scan. See {@link InstanceLifecycle#connect}.
     */
    @POST
    @Path("me/connect")
    @Consumes(MediaType.APPLICATION_JSON)
    public Pairing connect(LifecycleRequest request) {
        Optional<PhoneNumber> number = phoneNumberOf(request);
        return lifecycle.connect(allowedUser(request == null ? null : request.userId()), number);
    }

    @POST
    @Path("{userId}/connect")
    @Consumes(MediaType.APPLICATION_JSON)
    public Pairing connectUser(@PathParam("userId") String userId, LifecycleRequest request) {
        Optional<PhoneNumber> number = phoneNumberOf(request);
        return lifecycle.connect(allowedUser(userId), number);
    }

    /** Unlinks the phone; answers state {@code close}, also when there was no session. */
    @POST
    @Path("me/logout")
    public Pairing logout() {
        return lifecycle.logout(allowedUser(null));
    }

    @POST
    @Path("{userId}/logout")
    public Pairing logoutUser(@PathParam("userId") String userId) {
        return lifecycle.logout(allowedUser(userId));
    }

    /** Connects a closed instance (a new QR code), restarts an open or connecting one. */
    @POST
    @Path("me/reconnect")
    public Pairing reconnect() {
        return lifecycle.reconnect(allowedUser(null));
    }

    @POST
    @Path("{userId}/reconnect")
    public Pairing reconnectUser(@PathParam("userId") String userId) {
        return lifecycle.reconnect(allowedUser(userId));
    }

    /** The user a lifecycle action is for, once the caller may act for them and has the allowance left. */
    private UserId allowedUser(String requestedUserId) {
        Caller caller = currentCaller.get();
        UserId user = caller.actingFor(requestedUserId);
        requireAllowance(caller, user);
        return user;
    }

    private static Optional<PhoneNumber> phoneNumberOf(LifecycleRequest request) {
        if (request == null || request.number() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PhoneNumber(request.number()));
        } catch (IllegalArgumentException malformed) {
            throw ApiException.badRequest(malformed.getMessage());
        }
    }

    /** Users are held to their allowance; the service role, the system's own caller, is not. */
    private void requireAllowance(Caller caller, UserId user) {
        if (caller.isServiceRole()) {
            return;
        }
        Optional<Duration> wait = actionLimit.refusal(user);
        if (wait.isPresent()) {
            throw ApiException.tooManyRequests(
                    "Too many instance actions for this user; retry after the time in Retry-After.", wait.get());
        }
    }

    private URI statusUrl(UserId user, Caller caller) {
        return uriInfo.getBaseUriBuilder().path(InstancesResource.class)
                .path(caller.isServiceRole() ? user.toString() : "me").build();
    }

    private ProvisioningStatus statusOf(UserId user, Caller caller) {
        QueueEntry entry = queue.findByUser(user).orElseThrow(() -> ApiException.notFound("No profile for this user."));
        Optional<EvolutionInstance> instance = instances.findByUser(user);
        return new ProvisioningStatus(user.toString(), entry.getStatus().dbValue(), entry.getAttempts(),
                entry.getMaxAttempts(),
                instance.map(i -> i.getInstanceName().value()).orElse(null),
                instance.map(EvolutionInstance::isWebhookConfigured).orElse(false),
                instance.map(EvolutionInstance::getWebhookMethod).orElse(null),
                instance.map(EvolutionInstance::getConnectionState).orElse(null),
                instance.map(EvolutionInstance::getQrCode).orElse(null),
                instance.map(EvolutionInstance::getQrCodeUpdatedAt).orElse(null),
                Optional.ofNullable(entry.getLastErrorCode()).map(FailureCode::dbValue).orElse(null),
                caller.isServiceRole() ? entry.getLastError() : null,
                entry.getNextAttemptAt(), entry.getCreatedAt(), entry.getCompletedAt(), entry.getOperation().dbValue());
    }
}
