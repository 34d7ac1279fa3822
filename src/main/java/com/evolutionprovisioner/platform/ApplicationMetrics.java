package com.evolutionprovisioner.platform;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The application's counters and histograms, in MicroProfile Metrics when the server provides it (Payara: exported
 * at /metrics). WildFly 31+ ships no MicroProfile Metrics implementation: there the WAR carries the API alone, no
 * registry can be injected, and metrics are skipped (said once in the log) instead of failing the deployment.
 */
@ApplicationScoped
public class ApplicationMetrics {

    private static final Logger LOG = Logger.getLogger(ApplicationMetrics.class.getName());

    @Inject
    Instance<MetricRegistry> registries;

    private MetricRegistry registry;

    @PostConstruct
    void findRegistry() {
        if (registries.isResolvable()) {
            registry = registries.get();
        } else {
            LOG.warning("This server provides no MicroProfile Metrics registry: application metrics are not recorded");
        }
    }

    public void increment(String counter, Tag... tags) {
        if (registry != null) {
            registry.counter(counter, tags).inc();
        }
    }

    /**
     * The counter's increment, looked up once: for a counter incremented on every request, where finding it by name
     * and tags each time showed in the profile.
     */
    public Runnable incrementer(String counter, Tag... tags) {
        if (registry == null) {
            return () -> { };
        }
        Counter found = registry.counter(counter, tags);
        return found::inc;
    }

    /** Registers (once per name and tags) a gauge that reads {@code value} whenever /metrics is scraped. */
    public void gauge(String name, Supplier<Number> value, Tag... tags) {
        if (registry != null) {
            registry.gauge(name, () -> value.get().doubleValue(), tags);
        }
    }

    public void record(Metadata histogram, long value) {
        if (registry != null) {
            registry.histogram(histogram).update(value);
        }
    }
}
