package com.evolutionprovisioner.security;

import com.evolutionprovisioner.platform.ApiError;
import com.evolutionprovisioner.platform.LogSafe;
import com.evolutionprovisioner.platform.LogThrottle;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Rejects requests to {@link Authenticated} resources without a valid bearer token, and records the caller. Methods
 * marked {@link AcceptsEventTicket} also take a short-lived event ticket as {@code ?ticket=}; never a bearer token.
 */
@Provider
@Authenticated
@Priority(Priorities.AUTHENTICATION)
public class AuthenticationFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(AuthenticationFilter.class.getName());
    private static final String BEARER = "Bearer ";
    /** Anyone can send bad tokens, as fast as they like: one line per reason every 10 s, then a count. */
    private static final LogThrottle REJECTIONS = new LogThrottle(Duration.ofSeconds(10));

    @Inject
    TokenVerifier verifier;

    @Inject
    CurrentCaller currentCaller;

    @Inject
    EventTickets eventTickets;

    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String ticket = request.getUriInfo().getQueryParameters().getFirst(AcceptsEventTicket.QUERY_PARAMETER);
        if (header == null && ticket != null && resource.getResourceMethod().isAnnotationPresent(AcceptsEventTicket.class)) {
            authenticateByTicket(request, ticket);
            return;
        }
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            reject(request, "missing bearer token", null);
            return;
        }
        try {
            Caller caller = verifier.verify(header.substring(BEARER.length()).trim());
            if (caller.userId() == null && !caller.isServiceRole()) {
                reject(request, "token has no user (sub) and is not the service role", null);
                return;
            }
            currentCaller.set(caller);
        } catch (TokenVerifier.InvalidTokenException e) {
            reject(request, "invalid token", e.getMessage());
        }
    }

    /** A ticket stands for its user alone (no role): it can never act as the service role. */
    private void authenticateByTicket(ContainerRequestContext request, String ticket) {
        try {
            currentCaller.set(new Caller(eventTickets.verify(ticket), null));
        } catch (EventTickets.InvalidTicketException e) {
            reject(request, "invalid event ticket", e.getMessage());
        }
    }

    /** {@code reason} is one of a few fixed phrases; {@code detail}, the verifier's words, may quote the token. */
    private static void reject(ContainerRequestContext request, String reason, String detail) {
        REJECTIONS.log(LOG, Level.INFO, reason, () -> "401 on " + request.getMethod() + " "
                + LogSafe.quote(request.getUriInfo().getRequestUri().getRawPath()) + ": " + reason
                + (detail == null ? "" : " " + LogSafe.quote(detail)));
        request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError("unauthorized", "A valid bearer token is required."))
                .build());
    }
}
