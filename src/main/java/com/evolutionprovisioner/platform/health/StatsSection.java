package com.evolutionprovisioner.platform.health;

import java.util.Map;

/**
 * One component's figures in {@code GET /api/admin/stats}. Each component implements it as a CDI bean, so the stats
 * endpoint collects them without depending on any component. Names are the JSON fields; they must not clash.
 */
public interface StatsSection {

    /** Field name to value, in the order they should appear; read on every stats request. */
    Map<String, Object> figures();
}
