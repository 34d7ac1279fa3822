package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.provisioning.control.ProvisioningQueue;
import com.evolutionprovisioner.provisioning.control.Provisioner;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.QueueEntry;
import com.evolutionprovisioner.provisioning.entity.QueueStatus;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.Caller;
import com.evolutionprovisioner.security.CurrentCaller;
import com.evolutionprovisioner.security.SignupRules;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * A user's view of their provisioning, and the "create or repair my instance" action (the seed's
 * create-evolution-instance function). Evolution's keys never appear here.
 */
@Path("instances")
@RequestScoped
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class InstancesResource {

    private static final Logger LOG = Logger.getLogger(InstancesResource.class.getName());

    @Inject
    CurrentCaller currentCaller;

    @Inject
    ProvisioningQueue queue;

    @Inject
    InstanceRegistry instances;

    @Inject
    Provisioner provisioner;

    /** What a client may know of a user's provisioning; fields without a value are sent as null, not left out. */
    @JsonbNillable
    public record ProvisioningStatus(String userId, String status, int attempts, int maxAttempts, String instanceName,
                                     boolean webhookConfigured, String webhookMethod, String connectionState,
                                     String qrCode, OffsetDateTime qrCodeUpdatedAt, String lastError,
                                     OffsetDateTime nextAttemptAt, OffsetDateTime createdAt, OffsetDateTime completedAt) {
    }

    public record InstanceRequest(String userId, Boolean fromQueue) {
    }

    @GET
    @Path("me")
    public ProvisioningStatus mine() {
        return statusOf(currentCaller.get().requireUser());
    }

    /**
     * Creates or repairs the caller's instance now (the service role may name any user). A completed user costs no
     * Evolution call; a failed one is re-queued and worked at once; a row another worker holds is left to it.
     */
    @POST
    @SignupRules
    @Consumes(MediaType.APPLICATION_JSON)
    public Response createOrRepair(InstanceRequest request) {
        Caller caller = currentCaller.get();
        UserId user = caller.actingFor(request == null ? null : request.userId());
        QueueEntry entry = queue.findByUser(user).orElseThrow(() -> ApiException.notFound("No profile for this user."));
        if (entry.getStatus() == QueueStatus.FAILED) {
            queue.requeue(user);
            LOG.info(() -> "User " + user + "'s failed provisioning re-queued through the API");
        }
        if (entry.getStatus() != QueueStatus.COMPLETED && entry.getStatus() != QueueStatus.PROCESSING) {
            provisioner.process(entry.getId(), "api");
        }
        ProvisioningStatus status = statusOf(user);
        boolean done = QueueStatus.COMPLETED.dbValue().equals(status.status());
        return Response.status(done ? Response.Status.OK : Response.Status.ACCEPTED).entity(status).build();
    }

    private ProvisioningStatus statusOf(UserId user) {
        QueueEntry entry = queue.findByUser(user).orElseThrow(() -> ApiException.notFound("No profile for this user."));
        Optional<EvolutionInstance> instance = instances.findByUser(user);
        return new ProvisioningStatus(user.toString(), entry.getStatus().dbValue(), entry.getAttempts(),
                entry.getMaxAttempts(),
                instance.map(i -> i.getInstanceName().value()).orElse(null),
                instance.map(EvolutionInstance::isWebhookConfigured).orElse(false),
                instance.map(EvolutionInstance::getWebhookMethod).orElse(null),
                instance.map(EvolutionInstance::getConnectionState).orElse(null),
                instance.map(EvolutionInstance::getQrCode).orElse(null),
                instance.map(EvolutionInstance::getQrCodeUpdatedAt).orElse(null),
                entry.getLastError(), entry.getNextAttemptAt(), entry.getCreatedAt(), entry.getCompletedAt());
    }
}
