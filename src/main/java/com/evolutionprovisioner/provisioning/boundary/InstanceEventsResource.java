package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.provisioning.control.OwnerEventHub;
import com.evolutionprovisioner.provisioning.control.OwnerEventStore;
import com.evolutionprovisioner.provisioning.control.OwnerEventStream;
import com.evolutionprovisioner.provisioning.entity.OwnerEvent;
import com.evolutionprovisioner.security.AcceptsEventTicket;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.CurrentCaller;
import com.evolutionprovisioner.security.EventTickets;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Optional;

/**
 * The owner's live event stream (Server-Sent Events): provisioning status, QR codes and connection state of their
 * instance, from whichever node applied the change. A new stream starts with the current state; one that resumes
 * with Last-Event-ID gets the events it missed. A browser's EventSource, which cannot send headers, authenticates
 * with a short-lived ticket instead of the token.
 */
@Path("instances")
@RequestScoped
@Authenticated
public class InstanceEventsResource {

    /**
     * Last-Event-ID as a query parameter: an EventSource resends the header only on its own reconnects, which end
     * with its ticket; a client that opens a new EventSource with a new ticket says where it stopped here.
     */
    static final String LAST_EVENT_ID_PARAMETER = "lastEventId";

    @Inject
    CurrentCaller currentCaller;

    @Inject
    EventTickets tickets;

    @Inject
    OwnerEventHub hub;

    @Inject
    OwnerEventStore store;

    /** A ticket for {@code GET /api/instances/me/events?ticket=…}, valid for EVENT_TICKET_TTL. */
    @POST
    @Path("me/events/tickets")
    @Produces(MediaType.APPLICATION_JSON)
    public Response ticket() {
        return Response.status(Response.Status.CREATED).entity(tickets.issue(currentCaller.get().requireUser())).build();
    }

    @GET
    @Path("me/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @AcceptsEventTicket
    public void mine(@Context SseEventSink sink, @Context Sse sse,
                     @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
                     @QueryParam(LAST_EVENT_ID_PARAMETER) String lastEventIdParameter) {
        stream(currentCaller.get().requireUser(), sink, sse, lastEventId != null ? lastEventId : lastEventIdParameter);
    }

    /** The service role's way to follow any user; a user may name only themself. */
    @GET
    @Path("{userId}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @AcceptsEventTicket
    public void ofUser(@PathParam("userId") String userId, @Context SseEventSink sink, @Context Sse sse,
                       @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
                       @QueryParam(LAST_EVENT_ID_PARAMETER) String lastEventIdParameter) {
        stream(currentCaller.get().actingFor(userId), sink, sse, lastEventId != null ? lastEventId : lastEventIdParameter);
    }

    private void stream(UserId user, SseEventSink sink, Sse sse, String lastEventId) {
        // Checked before the stream is registered; the state sent is read again after, so nothing falls in between.
        if (store.currentState(user).isEmpty()) {
            throw ApiException.notFound("No profile for this user.");
        }
        OwnerEventStream stream = hub.open(user, sink, sse);
        try {
            // A resume whose last event is past retention, too far behind or unreadable gets the current state instead.
            Optional<List<OwnerEvent>> missed = eventId(lastEventId)
                    .filter(id -> store.retained(user, id))
                    .flatMap(id -> store.after(user, id));
            if (missed.isPresent()) {
                stream.start(missed.get(), true);
            } else {
                stream.start(store.currentState(user).orElseThrow(), false);
            }
        } catch (RuntimeException e) {
            hub.forget(stream);
            throw e;
        }
    }

    private static Optional<Long> eventId(String lastEventId) {
        return lastEventId != null && lastEventId.trim().matches("\\d{1,18}")
                ? Optional.of(Long.valueOf(lastEventId.trim())) : Optional.empty();
    }
}
