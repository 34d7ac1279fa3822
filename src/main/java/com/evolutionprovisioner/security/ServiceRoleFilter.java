package com.evolutionprovisioner.security;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

/** Refuses {@link ServiceRoleOnly} resources to callers other than the service role, after authentication. */
@Provider
@ServiceRoleOnly
@Priority(Priorities.AUTHORIZATION)
public class ServiceRoleFilter implements ContainerRequestFilter {

    @Inject
    CurrentCaller currentCaller;

    @Override
    public void filter(ContainerRequestContext request) {
        currentCaller.get().requireServiceRole();
    }
}
