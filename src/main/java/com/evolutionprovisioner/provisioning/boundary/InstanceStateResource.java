package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.entity.StateCheckReport;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The service role's "check all now" of state reconciliation (also JMX {@code type=InstanceState}). */
@Path("admin/instances/check-states")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class InstanceStateResource {

    @Inject
    InstanceStateCheck stateCheck;

    /** Compares every completed instance's state with Evolution's; answers {@code {"checked","corrected","missing","failed"}}. */
    @POST
    public StateCheckReport checkAll() {
        return stateCheck.checkAll();
    }
}
