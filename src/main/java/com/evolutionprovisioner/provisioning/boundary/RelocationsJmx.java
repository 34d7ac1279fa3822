package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApplicationMBeans;
import com.evolutionprovisioner.provisioning.control.Relocator;
import com.evolutionprovisioner.provisioning.entity.RelocationReport;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import javax.management.ObjectName;

/** Registers the relocation MXBean for as long as the application is deployed. */
@Singleton
@Startup
public class RelocationsJmx {

    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=Relocations";

    @Inject
    Relocator relocator;

    private ObjectName name;

    @PostConstruct
    void register() {
        name = ApplicationMBeans.register(OBJECT_NAME, RelocationsMXBean.class, new Relocations(relocator));
    }

    @PreDestroy
    void unregister() {
        ApplicationMBeans.unregister(name);
    }

    /** What JMX calls: a plain object handing the operation to the relocator. */
    record Relocations(Relocator relocator) implements RelocationsMXBean {
        @Override
        public RelocationReport relocateFrom(String server) {
            return relocator.relocateFrom(server, "JMX")
                    .orElseThrow(() -> new IllegalArgumentException("No Evolution server is named " + server));
        }
    }
}
