package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/**
 * The service role's search of instances and its rotation of an instance's webhook key. The quiet instances and the
 * state check have resources of their own under the same path.
 */
@Path("admin/instances")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class InstanceAdminResource {

    @Inject
    InstanceDirectory instanceDirectory;

    @Inject
    QueueOperations operations;

    /** Finds instances by user id, email, name or instance name (a case-insensitive substring), newest first. */
    @GET
    public List<InstanceDirectory.Listing> instances(@QueryParam("search") @DefaultValue("") String search,
                                                     @QueryParam("page") @DefaultValue("0") int page,
                                                     @QueryParam("size") @DefaultValue("50") int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw ApiException.badRequest("page must be >= 0 and size between 1 and 500.");
        }
        if (search.length() > 200) {
            throw ApiException.badRequest("search must be at most 200 characters.");
        }
        return instanceDirectory.search(search.trim(), page, size);
    }

    @POST
    @Path("{userId}/rotate-webhook-key")
    public Map<String, Object> rotateWebhookKey(@PathParam("userId") String userId) {
        if (!operations.rotateWebhookKey(QueueResource.userIdFrom(userId))) {
            throw ApiException.notFound("This user has no instance.");
        }
        return Map.of("rotated", true);
    }
}
