package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.evolution.control.ServerRecords;
import com.evolutionprovisioner.provisioning.control.InstanceRegistry;
import com.evolutionprovisioner.security.ReencryptionReport;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.SecretKeys;
import com.evolutionprovisioner.security.SecretReencryption;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * "Re-encrypt everything", from the admin REST API or JMX: rewrites every stored instance secret, then every Evolution
 * server's key, under SECRETS_KEY with its row and column as additional data, one committed batch at a time, then
 * records the pass, after which unencrypted values are refused. Safe to repeat; a second pass should report nothing
 * rewritten.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class SecretOperations {

    private static final Logger LOG = Logger.getLogger(SecretOperations.class.getName());
    /** Rows locked and rewritten per transaction: short locks, while provisioning goes on. */
    static final int BATCH_SIZE = 100;

    @Inject
    InstanceRegistry instances;

    @Inject
    ServerRecords evolutionServers;

    @Inject
    SecretCipher secrets;

    @Inject
    SecretKeys secretKeys;

    public ReencryptionReport reencryptAll() {
        SecretReencryption pass = new SecretReencryption(secrets);
        OptionalLong lastId = OptionalLong.of(0);
        while (lastId.isPresent()) {
            lastId = instances.reencryptSecrets(lastId.getAsLong(), BATCH_SIZE, pass);
        }
        evolutionServers.reencryptKeys(pass);
        ReencryptionReport report = pass.report();
        secretKeys.recordReencryption(report);
        LOG.info(() -> "Operator re-encrypted every stored instance secret: " + report
                + (report.getFailed() > 0 ? "; each failure is logged above with what to do" : ""));
        return report;
    }
}
