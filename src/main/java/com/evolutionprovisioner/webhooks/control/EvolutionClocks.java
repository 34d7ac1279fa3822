package com.evolutionprovisioner.webhooks.control;

import com.evolutionprovisioner.platform.ApplicationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Each Evolution server's clock offset ({@code date_time} minus our reception time) as last seen in an authenticated
 * delivery, on this node: gauge {@code evolution_clock_offset_seconds{server}} and the admin stats. A few hours of
 * offset mean Evolution runs outside UTC (it appends a {@code Z} to local time); event ordering copes, people should know.
 */
@ApplicationScoped
public class EvolutionClocks {

    /** Servers are few; the bound keeps a misbehaving sender from growing the map or the metric series. */
    static final int MAX_SERVERS = 50;

    @Inject
    ApplicationMetrics metrics;

    private final Map<String, Double> offsetSeconds = new ConcurrentHashMap<>();

    public void observe(String serverUrl, String dateTime, OffsetDateTime receivedAt) {
        if (serverUrl == null || serverUrl.isBlank()) {
            return;
        }
        EventTime.senderOffset(dateTime, receivedAt).ifPresent(offset -> record(serverUrl, offset));
    }

    private void record(String serverUrl, Duration offset) {
        if (!offsetSeconds.containsKey(serverUrl) && offsetSeconds.size() >= MAX_SERVERS) {
            return;
        }
        boolean first = offsetSeconds.put(serverUrl, offset.toMillis() / 1000.0) == null;
        if (first) {
            metrics.gauge("evolution_clock_offset_seconds", () -> offsetSeconds.getOrDefault(serverUrl, 0.0),
                    new Tag("server", serverUrl));
        }
    }

    /** Server URL to offset in seconds, sorted by server. */
    public Map<String, Double> offsets() {
        return new TreeMap<>(offsetSeconds);
    }
}
