package com.evolutionprovisioner.testsupport;

import com.sun.tools.attach.VirtualMachine;

/** What JConsole and VisualVM do with a local server: attach to its JVM and ask for its JMX address. */
public final class LocalJmx {

    private LocalJmx() {
    }

    /** Starts (or finds) the JVM's local management agent and returns its JMX service URL. */
    public static String managementAddress(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try {
            return vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
    }
}
