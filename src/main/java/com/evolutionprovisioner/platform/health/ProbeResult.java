package com.evolutionprovisioner.platform.health;

import java.util.Map;

/**
 * What one readiness probe found: UP or DOWN, and the details behind it (figures, the error), which only the
 * service role sees, through {@code GET /api/admin/health}.
 */
public record ProbeResult(String name, boolean up, Map<String, Object> details) {

    public static ProbeResult up(String name, Map<String, Object> details) {
        return new ProbeResult(name, true, details);
    }

    public static ProbeResult down(String name, Map<String, Object> details) {
        return new ProbeResult(name, false, details);
    }

    /** A failed probe: DOWN, with the error for operators. */
    public static ProbeResult failed(String name, Throwable error) {
        return down(name, Map.of("error", String.valueOf(error)));
    }

    public String status() {
        return up ? "UP" : "DOWN";
    }
}
