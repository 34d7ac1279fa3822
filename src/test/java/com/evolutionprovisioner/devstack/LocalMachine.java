package com.evolutionprovisioner.devstack;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Ports, folders and commands for the servers the dev stack and the tests start on this machine. */
public final class LocalMachine {

    private LocalMachine() {
    }

    /** A port free on 127.0.0.1 right now (servers here listen on the loopback interface only). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Waits until nothing listens on 127.0.0.1:{@code port} any more: a server that was just told to stop (the
     * previous test class's node) may still hold it for a few seconds.
     */
    public static void awaitPortFree(int port, Duration atMost) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return;
            } catch (BindException stillInUse) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("Port " + port + " is still in use after " + atMost, stillInUse);
                }
                Thread.sleep(200);
            }
        }
    }

    public static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Runs a command to its end, its output going to a log file in {@code directory}, and returns what it printed.
     * Fails when it takes longer than {@code timeout} or exits with a non-zero status.
     */
    public static String runToEnd(String what, List<String> command, Path directory, Map<String, String> environment,
                                  Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile(directory, what.replaceAll("\\W+", "-"), ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(what + " did not finish within " + timeout + "; see " + output);
        }
        String printed = Files.readString(output);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(what + " failed with exit code " + process.exitValue() + ":\n" + printed);
        }
        return printed;
    }

    /** Deletes the folder's content; the folder itself too unless {@code keepFolder}. */
    public static void deleteTree(Path folder, boolean keepFolder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (var paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder())
                    .filter(path -> !keepFolder || !path.equals(folder))
                    .forEach(path -> path.toFile().delete());
        }
    }
}
