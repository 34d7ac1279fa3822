package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.security.ReencryptionReport;

/** Stored instance secrets in JConsole and VisualVM: {@code com.evolutionprovisioner:type=InstanceSecrets}. */
public interface InstanceSecretsMXBean {

    /** The id of SECRETS_KEY on this node, as stored values carry it ({@code v2:<key id>:…}). */
    String getKeyId();

    /** Rewrites every stored secret under SECRETS_KEY (see {@link SecretOperations}); returns the counts. */
    ReencryptionReport reencryptAll();
}
