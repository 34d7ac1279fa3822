package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.entity.WebhookVerificationReport;
import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The service role's "verify all now" of webhook drift repair (also JMX {@code type=WebhookDrift}). */
@Path("admin/webhooks/verify-all")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class WebhookDriftResource {

    @Inject
    WebhookDriftRepair repair;

    /** Reads back every completed instance's webhook; answers {@code {"verified","repaired","failed"}}. */
    @POST
    public WebhookVerificationReport verifyAll() {
        return repair.verifyAll();
    }
}
