package com.evolutionprovisioner.webhooks.boundary;

import com.evolutionprovisioner.platform.health.StatsSection;
import com.evolutionprovisioner.webhooks.control.EvolutionClocks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;

/** The webhooks' part of {@code GET /api/admin/stats}: each Evolution server's clock offset, as its deliveries show it. */
@ApplicationScoped
public class EvolutionClockStats implements StatsSection {

    @Inject
    EvolutionClocks clocks;

    @Override
    public Map<String, Object> figures() {
        return Map.of("evolutionClockOffsetSeconds", clocks.offsets());
    }
}
