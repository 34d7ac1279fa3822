package com.evolutionprovisioner.provisioning.boundary;

import com.evolutionprovisioner.platform.health.StatsSection;
import com.evolutionprovisioner.provisioning.control.QueueStatistics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;

/** The provisioning queue's part of {@code GET /api/admin/stats}: the seed's health view and the alert figures, read now. */
@ApplicationScoped
public class QueueStats implements StatsSection {

    @Inject
    QueueOperations operations;

    @Override
    public Map<String, Object> figures() {
        Map<String, Object> figures = new LinkedHashMap<>(operations.healthView());
        QueueStatistics statistics = operations.statistics();
        figures.put("oldestPendingAgeSeconds", statistics.oldestPendingSeconds());
        figures.put("failureRateLastHour", statistics.failureRateLastHour());
        return figures;
    }
}
