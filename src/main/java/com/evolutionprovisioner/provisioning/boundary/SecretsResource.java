package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ReencryptionReport;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The service role's administration of stored instance secrets: re-encryption after a SECRETS_KEY rotation. */
@Path("admin/secrets")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class SecretsResource {

    @Inject
    SecretOperations operations;

    @POST
    @Path("re-encrypt")
    public ReencryptionReport reencrypt() {
        return operations.reencryptAll();
    }
}
