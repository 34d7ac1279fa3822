package com.evolutionprovisioner.platform.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsResourceTest {

    @Test
    void everySectionsFiguresAppearInOneFlatObjectInTheirOrder() {
        Map<String, Object> queue = new LinkedHashMap<>();
        queue.put("pendingCount", 3L);
        queue.put("avgProcessingSeconds", null);
        StatsSection clocks = () -> Map.of("evolutionClockOffsetSeconds", Map.of("http://evo", -1.5));

        Map<String, Object> stats = StatsResource.merged(List.of(() -> queue, clocks));

        assertThat(stats).containsExactly(Map.entry("pendingCount", 3L),
                new AbstractMap.SimpleEntry<>("avgProcessingSeconds", null),
                Map.entry("evolutionClockOffsetSeconds", Map.of("http://evo", -1.5)));
    }

    @Test
    void twoSectionsReportingTheSameFigureAreRefused() {
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("pendingCount", null);
        StatsSection second = () -> Map.of("pendingCount", 1L);

        assertThatThrownBy(() -> StatsResource.merged(List.of(() -> first, second)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("pendingCount");
    }

    @Test
    void noSectionsMeansAnEmptyObject() {
        assertThat(StatsResource.merged(List.of())).isEmpty();
    }
}
