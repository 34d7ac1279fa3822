package com.evolutionprovisioner.security;

import com.evolutionprovisioner.platform.ApiError;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Logger;

/** Rejects requests to {@link Authenticated} resources without a valid bearer token, and records the caller. */
@Provider
@Authenticated
@Priority(Priorities.AUTHENTICATION)
public class AuthenticationFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(AuthenticationFilter.class.getName());
    private static final String BEARER = "Bearer ";

    @Inject
    TokenVerifier verifier;

    @Inject
    CurrentCaller currentCaller;

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            reject(request, "missing bearer token");
            return;
        }
        try {
            Caller caller = verifier.verify(header.substring(BEARER.length()).trim());
            if (caller.userId() == null && !caller.isServiceRole()) {
                reject(request, "token has no user (sub) and is not the service role");
                return;
            }
            currentCaller.set(caller);
        } catch (TokenVerifier.InvalidTokenException e) {
            reject(request, e.getMessage());
        }
    }

    private static void reject(ContainerRequestContext request, String reason) {
        LOG.info(() -> "401 on " + request.getMethod() + " /" + request.getUriInfo().getPath() + ": " + reason);
        request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError("unauthorized", "A valid bearer token is required."))
                .build());
    }
}
