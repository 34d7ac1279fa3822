package com.evolutionprovisioner.security;

import com.evolutionprovisioner.platform.ApiException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses {@link SignupRules} resources to user tokens that may not own an Evolution instance: any token with a UUID
 * {@code sub} would otherwise do, anonymous sign-ins included. SIGNUP_REQUIRED_ROLE ({@code *} for any role) and
 * SIGNUP_ALLOW_ANONYMOUS change the rules.
 */
@Provider
@SignupRules
@Priority(Priorities.AUTHORIZATION)
public class SignupRulesFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(SignupRulesFilter.class.getName());
    static final String ANY_ROLE = "*";

    @Inject
    CurrentCaller currentCaller;

    @Inject
    @ConfigProperty(name = "signup.required.role")
    String requiredRole;

    @Inject
    @ConfigProperty(name = "signup.allow.anonymous")
    boolean allowAnonymous;

    @Override
    public void filter(ContainerRequestContext request) {
        check(currentCaller.get(), request.getMethod() + " /" + request.getUriInfo().getPath());
    }

    void check(Caller caller, String action) {
        if (caller.isServiceRole()) {
            return;
        }
        if (caller.anonymous() && !allowAnonymous) {
            LOG.info(() -> "403 on " + action + ": user " + caller.userId() + " is an anonymous sign-in");
            throw new ApiException(Status.FORBIDDEN, "anonymous_user",
                    "Anonymous users cannot sign up or provision an instance: sign in with an account first.");
        }
        if (!ANY_ROLE.equals(requiredRole) && !requiredRole.equals(caller.role())) {
            LOG.info(() -> "403 on " + action + ": user " + caller.userId() + " has not the role " + requiredRole);
            throw new ApiException(Status.FORBIDDEN, "role_not_allowed",
                    "Only users with the role \"" + requiredRole + "\" can sign up or provision an instance.");
        }
    }
}
