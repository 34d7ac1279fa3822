package com.evolutionprovisioner.platform;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * Answers 204 and does nothing else: a reachability probe for load balancers, and the ceiling the webhook benchmark
 * compares the receiver with (the cost of the server and JAX-RS alone).
 */
@Path("ping")
public class PingResource {

    @GET
    public Response ping() {
        return Response.noContent().build();
    }
}
