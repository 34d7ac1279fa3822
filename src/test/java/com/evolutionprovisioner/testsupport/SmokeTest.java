package com.evolutionprovisioner.testsupport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** scripts/smoke-test.sh, run the way an operator runs it after a deployment. */
public final class SmokeTest {

    /** Exit status and everything the script printed. */
    public record Outcome(int exitStatus, String output) {
    }

    private SmokeTest() {
    }

    public static Outcome run(TestEnvironment.Running env, String baseUrl, String healthUrl) throws Exception {
        return run(env, baseUrl, healthUrl, 60);
    }

    /** Runs the script with its provisioning TIMEOUT; the script itself is given twice that plus a minute to end. */
    public static Outcome run(TestEnvironment.Running env, String baseUrl, String healthUrl, int timeoutSeconds)
            throws Exception {
        Path output = Files.createTempFile("smoke-test", ".log");
        ProcessBuilder smoke = new ProcessBuilder("bash", "scripts/smoke-test.sh").redirectErrorStream(true)
                .redirectOutput(output.toFile());
        smoke.environment().put("BASE_URL", baseUrl);
        smoke.environment().put("HEALTH_URL", healthUrl);
        smoke.environment().put("TOKEN", env.tokens().user(UUID.randomUUID()));
        smoke.environment().put("SERVICE_TOKEN", env.tokens().serviceRole());
        smoke.environment().put("EVOLUTION_API_BASE_URL", env.simulator().baseUrl());
        smoke.environment().put("EVOLUTION_API_KEY", TestEnvironment.EVOLUTION_KEY);
        smoke.environment().put("TIMEOUT", Integer.toString(timeoutSeconds));
        Process process = smoke.start();
        try {
            // Output goes to a file, so this wait is what bounds the run (reading a pipe to its end would not be).
            long limit = 2L * timeoutSeconds + 60;
            if (!process.waitFor(limit, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("The smoke test did not finish within " + limit + " s:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Outcome(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
