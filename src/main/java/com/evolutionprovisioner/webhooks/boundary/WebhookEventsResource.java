package com.evolutionprovisioner.webhooks.boundary;

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
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The service role's actions on stored webhook events: dead letters and their replay, purge (also JMX {@code type=WebhookEvents}). */
@Path("admin/webhooks")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class WebhookEventsResource {

    @Inject
    WebhookOperations webhookOperations;

    @Inject
    WebhookRetention retention;

    @GET
    @Path("dead-letters")
    public List<WebhookOperations.DeadLetterEvent> deadLetters(@QueryParam("limit") @DefaultValue("100") int limit) {
        return webhookOperations.deadLetterEvents(Math.max(1, Math.min(limit, 1000)));
    }

    @POST
    @Path("purge")
    public Map<String, Object> purgeWebhookEvents(@QueryParam("olderThanDays") Integer days) {
        if (days != null && days < 1) {
            throw ApiException.badRequest("olderThanDays must be at least 1.");
        }
        return Map.of("purged", webhookOperations.purgeAppliedOlderThan(
                days == null ? retention.retention() : Duration.ofDays(days)));
    }

    @POST
    @Path("dead-letters/replay")
    public Map<String, Object> replayDeadLetters() {
        return Map.of("replayed", webhookOperations.replayAll());
    }

    @POST
    @Path("dead-letters/{id}/replay")
    public Map<String, Object> replayDeadLetter(@PathParam("id") long id) {
        if (!webhookOperations.replay(id)) {
            throw ApiException.notFound("No dead letter with this id.");
        }
        return Map.of("replayed", 1);
    }
}
