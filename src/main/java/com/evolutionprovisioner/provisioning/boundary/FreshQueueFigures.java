package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Every service-role request (the console, an operator's action) sees, and leaves behind, fresh queue figures in
 * health, metrics and JMX: the cached {@link QueueSnapshot} is dropped before the request runs. Bound to
 * {@link ServiceRoleOnly} and run after authorisation, so that anonymous callers cannot make the snapshot recompute.
 */
@Provider
@ServiceRoleOnly
@Priority(Priorities.USER)
public class FreshQueueFigures implements ContainerRequestFilter {

    @Inject
    QueueSnapshot snapshot;

    @Override
    public void filter(ContainerRequestContext request) {
        snapshot.invalidate();
    }
}
