package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.provisioning.entity.QuietReconnectReport;
import com.evolutionprovisioner.provisioning.entity.StateCheckReport;

/** State reconciliation and quiet instances in JConsole and VisualVM: {@code com.evolutionprovisioner:type=InstanceState}. */
public interface InstanceStateMXBean {

    /** Compares every completed instance's connection state with Evolution's and corrects ours; returns the counts. */
    StateCheckReport checkAllNow();

    /** How many instances are flagged quiet (open, yet without message traffic for INSTANCE_QUIET_AFTER). */
    long getQuietInstances();

    /** Reconnects every instance flagged quiet; returns the counts. */
    QuietReconnectReport reconnectQuietNow();
}
