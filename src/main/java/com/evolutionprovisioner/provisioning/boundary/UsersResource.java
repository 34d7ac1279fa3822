package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.control.Deprovisioner;
import com.evolutionprovisioner.provisioning.entity.DeletionStatus;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.CurrentCaller;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * The service role's deletion of any user (an account closed elsewhere, an operator's request): the same queued
 * deprovisioning as the user's own {@code DELETE /api/profiles/me}.
 */
@Path("admin/users")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class UsersResource {

    @Inject
    CurrentCaller currentCaller;

    @Inject
    Deprovisioner deprovisioner;

    @Context
    UriInfo uriInfo;

    /** 202 with the status URL while the deletion is under way (a repeat queues nothing more), 204 once it is done. */
    @DELETE
    @Path("{userId}")
    public Response delete(@PathParam("userId") String userId) {
        UserId user = currentCaller.get().actingFor(userId);
        return deprovisioner.request(user, "the service role")
                .map(entry -> Response.accepted(DeletionStatus.of(entry))
                        .location(uriInfo.getBaseUriBuilder().path(InstancesResource.class).path(user.toString()).build())
                        .build())
                .orElseGet(() -> Response.noContent().build());
    }
}
