package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.ApplicationMBeans;
import com.evolutionprovisioner.provisioning.control.QuietInstances;
import com.evolutionprovisioner.provisioning.entity.QuietReconnectReport;
import com.evolutionprovisioner.provisioning.entity.StateCheckReport;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import javax.management.ObjectName;

/** Registers the instance state MXBean for as long as the application is deployed. */
@Singleton
@Startup
public class InstanceStateJmx {

    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=InstanceState";

    @Inject
    InstanceStateCheck stateCheck;

    @Inject
    QuietInstances quiet;

    private ObjectName name;

    @PostConstruct
    void register() {
        name = ApplicationMBeans.register(OBJECT_NAME, InstanceStateMXBean.class, new StateMXBean(stateCheck, quiet));
    }

    @PreDestroy
    void unregister() {
        ApplicationMBeans.unregister(name);
    }

    /** What JMX calls: a plain object handing each operation to the beans. */
    record StateMXBean(InstanceStateCheck stateCheck, QuietInstances quiet) implements InstanceStateMXBean {
        @Override
        public StateCheckReport checkAllNow() {
            return stateCheck.checkAll();
        }

        @Override
        public long getQuietInstances() {
            return quiet.count();
        }

        @Override
        public QuietReconnectReport reconnectQuietNow() {
            return quiet.reconnectAll();
        }
    }
}
