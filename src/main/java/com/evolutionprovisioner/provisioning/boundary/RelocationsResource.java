package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.provisioning.control.Relocator;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The service role's move of the never-paired instances off an Evolution server, typically one set to draining:
 * queued, one row per instance, and answered at once (202 {@code {"moving","staying"}}); the queue's workers do the
 * moves. Paired instances stay. Repeating it queues only what is not moving yet.
 */
@Path("admin/evolution-servers/{name}/relocations")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class RelocationsResource {

    @Inject
    Relocator relocator;

    /** 202 {@code {"moving","staying"}}; 404 for a server the pool does not have. */
    @POST
    public Response relocate(@PathParam("name") String server) {
        return Response.accepted(relocator.relocateFrom(server, "the service role")
                .orElseThrow(() -> ApiException.notFound("No Evolution server is named " + server + "."))).build();
    }
}
