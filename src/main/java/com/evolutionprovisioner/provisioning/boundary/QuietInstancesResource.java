package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.control.QuietInstances;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.QuietReconnectReport;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import java.util.List;

/** The service role's view of the instances flagged quiet, and its one action on them (also JMX {@code type=InstanceState}). */
@Path("admin/instances/quiet")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class QuietInstancesResource {

    @Inject
    QuietInstances quiet;

    /** One flagged instance: whose it is, and since when it has been silent. */
    public record QuietInstance(String userId, String instanceName, String connectionState,
                                OffsetDateTime lastTrafficAt, OffsetDateTime quietSince) {
        static QuietInstance of(EvolutionInstance instance) {
            return new QuietInstance(instance.getUserId().toString(), instance.getInstanceName().value(),
                    instance.getConnectionState(), instance.getLastTrafficAt(), instance.getQuietSince());
        }
    }

    /** The flagged instances, the longest quiet first. */
    @GET
    public List<QuietInstance> list() {
        return quiet.list().stream().map(QuietInstance::of).toList();
    }

    /** Reconnects every flagged instance; answers {@code {"reconnected","failed"}}. */
    @POST
    @Path("reconnect")
    public QuietReconnectReport reconnectAll() {
        return quiet.reconnectAll();
    }
}
