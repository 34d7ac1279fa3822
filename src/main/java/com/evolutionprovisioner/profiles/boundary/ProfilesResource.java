package com.evolutionprovisioner.profiles.boundary;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.profiles.control.ProfileService;
import com.evolutionprovisioner.profiles.control.ProfileService.Registration;
import com.evolutionprovisioner.profiles.entity.Profile;
import com.evolutionprovisioner.provisioning.boundary.InstancesResource;
import com.evolutionprovisioner.provisioning.control.Deprovisioner;
import com.evolutionprovisioner.provisioning.control.ProvisioningDispatcher;
import com.evolutionprovisioner.provisioning.entity.DeletionStatus;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.Caller;
import com.evolutionprovisioner.security.CurrentCaller;
import com.evolutionprovisioner.security.SignupRules;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Signup: stores the caller's profile (or, for the service role, the named user's) and starts provisioning. And the
 * end of the journey: the caller deletes themself (instance and data), queued like provisioning.
 */
@Path("profiles")
@ApplicationScoped
@Authenticated
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ProfilesResource {

    private static final Logger LOG = Logger.getLogger(ProfilesResource.class.getName());
    private static final int MAX_FIELD_LENGTH = 320;

    @Inject
    CurrentCaller currentCaller;

    @Inject
    ProfileService profiles;

    @Inject
    ProvisioningDispatcher dispatcher;

    @Inject
    Deprovisioner deprovisioner;

    @Context
    UriInfo uriInfo;

    public record ProfileRequest(String userId, String email, String fullName) {
    }

    public record ProfileView(UUID id, String email, String fullName, OffsetDateTime createdAt) {
        static ProfileView of(Profile profile) {
            return new ProfileView(profile.getId(), profile.getEmail(), profile.getFullName(), profile.getCreatedAt());
        }
    }

    @POST
    @SignupRules
    public Response signUp(ProfileRequest request) {
        if (request == null) {
            throw ApiException.badRequest("A JSON body {\"email\", \"fullName\"} is required.");
        }
        requireReasonableLength("email", request.email());
        requireReasonableLength("fullName", request.fullName());
        Caller caller = currentCaller.get();
        UserId userId = caller.actingFor(request.userId());
        Registration registration = profiles.register(userId, request.email(), request.fullName());
        if (registration.deletionUnderWay()) {
            // The profile is about to be erased: a signup now would be answered with a profile that then vanishes.
            throw new ApiException(Response.Status.CONFLICT, "deletion_pending", "This user is being deleted; sign up "
                    + "again once DELETE /api/profiles/me answers 204.");
        }
        ProfileView view = new ProfileView(registration.id(), registration.email(), registration.fullName(),
                registration.createdAt());
        if (!registration.created()) {
            return Response.ok(view).build();
        }
        LOG.info(() -> "Profile created for user " + userId + " (queue entry " + registration.queueEntryId()
                + ", by " + (caller.isServiceRole() ? "service role" : "the user") + ")");
        // The profile's transaction has committed: only now may the MDB look for the queue row.
        dispatcher.dispatchSignup(registration.queueEntryId(), userId);
        return Response.status(Response.Status.CREATED).entity(view).build();
    }

    @GET
    @Path("me")
    public ProfileView me() {
        UserId userId = currentCaller.get().requireUser();
        return profiles.find(userId).map(ProfileView::of)
                .orElseThrow(() -> ApiException.notFound("You have no profile yet."));
    }

    /**
     * Deletes the caller: their instance at Evolution, then everything we hold about them. 202 with the status URL
     * while the deletion is under way (a repeat queues nothing more), 204 once nothing is left — the same answer as
     * for someone who never signed up, on purpose.
     */
    @DELETE
    @Path("me")
    public Response deleteMe() {
        UserId userId = currentCaller.get().requireUser();
        return deprovisioner.request(userId, "the user")
                .map(entry -> Response.accepted(DeletionStatus.of(entry))
                        .location(uriInfo.getBaseUriBuilder().path(InstancesResource.class).path("me").build())
                        .build())
                .orElseGet(() -> Response.noContent().build());
    }

    private static void requireReasonableLength(String field, String value) {
        if (value != null && value.length() > MAX_FIELD_LENGTH) {
            throw ApiException.badRequest("\"" + field + "\" is longer than " + MAX_FIELD_LENGTH + " characters.");
        }
    }
}
