package com.evolutionprovisioner.platform.work;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every pipeline's dead letters in one place, for the service role: each component's {@link DeadLetters}, so that
 * this endpoint belongs to none of them and a new pipeline adds its own. The components keep their own endpoints
 * (GET /api/admin/webhooks/dead-letters, POST /api/admin/queue/requeue-failed, …).
 */
@Path("admin/dead-letters")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class DeadLettersResource {

    @Inject
    @Any
    Instance<DeadLetters> pipelines;

    /** {@code {"<pipeline>": {"count", "deadLetters": [the oldest, at most limit]}}}, pipelines by name. */
    @GET
    public Map<String, Object> deadLetters(@QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("limit must be between 1 and 1000.");
        }
        Map<String, Object> all = new LinkedHashMap<>();
        sorted().forEach(pipeline -> all.put(pipeline.pipeline(),
                Map.of("count", pipeline.count(), "deadLetters", pipeline.list(limit))));
        return all;
    }

    @POST
    @Path("replay")
    public Map<String, Object> replayAll() {
        Map<String, Object> replayed = new LinkedHashMap<>();
        sorted().forEach(pipeline -> replayed.put(pipeline.pipeline(), pipeline.replayAll()));
        return Map.of("replayed", replayed);
    }

    @POST
    @Path("{pipeline}/{id}/replay")
    public Map<String, Object> replay(@PathParam("pipeline") String name, @PathParam("id") long id) {
        DeadLetters pipeline = sorted().filter(candidate -> candidate.pipeline().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Unknown pipeline; the pipelines are "
                        + sorted().map(DeadLetters::pipeline).toList() + "."));
        if (!pipeline.replay(id)) {
            throw ApiException.notFound("No dead letter with this id in " + name + ".");
        }
        return Map.of("replayed", 1);
    }

    private Stream<DeadLetters> sorted() {
        return pipelines.stream().sorted(Comparator.comparing(DeadLetters::pipeline));
    }
}
