package com.evolutionprovisioner.evolution.boundary;

import com.evolutionprovisioner.evolution.control.EvolutionServers;
import com.evolutionprovisioner.evolution.control.EvolutionServers.ServerView;
import com.evolutionprovisioner.evolution.control.ServerRecords.ServerConflict;
import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The pool of Evolution servers for the service role: list them with their instances and health, add one (no
 * restart needed), change a server's capacity or state. The API key is write-only: never answered, never logged.
 */
@Path("admin/evolution-servers")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EvolutionServersResource {

    @Inject
    EvolutionServers servers;

    @Inject
    ServerRequests requests;

    @GET
    public List<ServerView> list() {
        return servers.list();
    }

    @POST
    public Response add(ServerRequests.NewServer body) {
        ServerRequests.ValidServer server = requests.validNew(body);
        try {
            ServerView added = servers.add(server.name(), server.baseUrl(), server.apiKey(), server.capacity(),
                    server.state());
            return Response.status(Response.Status.CREATED).entity(added).build();
        } catch (ServerConflict taken) {
            throw new ApiException(Response.Status.CONFLICT, "conflict", taken.getMessage());
        }
    }

    @PATCH
    @Path("{name}")
    public ServerView change(@PathParam("name") String name, ServerRequests.ServerChange body) {
        ServerRequests.ValidChange change = requests.validChange(body);
        return servers.change(name, change.capacity(), change.state())
                .orElseThrow(() -> ApiException.notFound("No Evolution server is named " + name + "."));
    }
}
