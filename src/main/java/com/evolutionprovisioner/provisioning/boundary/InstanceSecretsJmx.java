package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApplicationMBeans;
import com.evolutionprovisioner.security.ReencryptionReport;
import com.evolutionprovisioner.security.SecretCipher;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import javax.management.ObjectName;

/** Registers the instance secrets MXBean for as long as the application is deployed. */
@Singleton
@Startup
public class InstanceSecretsJmx {

    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=InstanceSecrets";

    @Inject
    SecretOperations operations;

    @Inject
    SecretCipher secrets;

    private ObjectName name;

    @PostConstruct
    void register() {
        name = ApplicationMBeans.register(OBJECT_NAME, InstanceSecretsMXBean.class,
                new SecretsMXBean(operations, secrets.keyId()));
    }

    @PreDestroy
    void unregister() {
        ApplicationMBeans.unregister(name);
    }

    /** A plain object for JMX, so that JMX never holds an EJB proxy. */
    record SecretsMXBean(SecretOperations operations, String keyId) implements InstanceSecretsMXBean {

        @Override
        public String getKeyId() {
            return keyId;
        }

        @Override
        public ReencryptionReport reencryptAll() {
            return operations.reencryptAll();
        }
    }
}
