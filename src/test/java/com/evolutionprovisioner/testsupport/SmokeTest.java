package com.evolutionprovisioner.testsupport;

import java.nio.charset.StandardCharsets;
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
        ProcessBuilder smoke = new ProcessBuilder("bash", "scripts/smoke-test.sh").redirectErrorStream(true);
        smoke.environment().put("BASE_URL", baseUrl);
        smoke.environment().put("HEALTH_URL", healthUrl);
        smoke.environment().put("TOKEN", env.tokens().user(UUID.randomUUID()));
        smoke.environment().put("SERVICE_TOKEN", env.tokens().serviceRole());
        smoke.environment().put("EVOLUTION_API_BASE_URL", env.simulator().baseUrl());
        smoke.environment().put("EVOLUTION_API_KEY", TestEnvironment.EVOLUTION_KEY);
        smoke.environment().put("TIMEOUT", "60");
        Process process = smoke.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("The smoke test did not finish within 120 s:\n" + output);
        }
        return new Outcome(process.exitValue(), output);
    }
}
