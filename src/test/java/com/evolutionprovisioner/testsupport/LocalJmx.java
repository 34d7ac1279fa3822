package com.evolutionprovisioner.testsupport;

import com.sun.tools.attach.VirtualMachine;

/** What JConsole and VisualVM do with a local server: attach to its JVM and ask for its JMX address. */
public final class LocalJmx {

    private LocalJmx() {
    }

    /** The JMX address of the Payara Micro process serving HTTP on {@code httpPort} (the Arquillian node). */
    public static String managementAddressOfPayaraMicro(int httpPort) throws Exception {
        String port = "--port " + httpPort;
        long pid = ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains("payara-micro") && line.contains(port)).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("No Payara Micro process with " + port))
                .pid();
        return managementAddress(pid);
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
