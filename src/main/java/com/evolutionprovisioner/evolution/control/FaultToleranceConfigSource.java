package com.evolutionprovisioner.evolution.control;

import com.evolutionprovisioner.platform.DurationConverter;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Lets operators size the fault-tolerance policies with the project's own variable names
 * (EVOLUTION_MAX_CONCURRENCY, EVOLUTION_TIMEOUT) instead of MicroProfile's
 * {@code <class>/<method>/Bulkhead/value} keys, which can still be set directly and then win (higher ordinal).
 */
public class FaultToleranceConfigSource implements ConfigSource {

    private static final String EXCHANGE = "com.evolutionprovisioner.evolution.control.EvolutionTransport/exchange/";
    private static final String BULKHEAD_KEY = EXCHANGE + "Bulkhead/value";
    private static final String TIMEOUT_KEY = EXCHANGE + "Timeout/value";
    private static final String TIMEOUT_UNIT_KEY = EXCHANGE + "Timeout/unit";

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(BULKHEAD_KEY, TIMEOUT_KEY, TIMEOUT_UNIT_KEY);
    }

    @Override
    public String getValue(String propertyName) {
        return switch (propertyName) {
            case BULKHEAD_KEY -> setting("evolution.max.concurrency");
            case TIMEOUT_KEY -> {
                String timeout = setting("evolution.timeout");
                yield timeout == null ? null
                        : String.valueOf(new DurationConverter().convert(timeout).toMillis());
            }
            case TIMEOUT_UNIT_KEY -> setting("evolution.timeout") == null ? null : "MILLIS";
            default -> null;
        };
    }

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> values = new HashMap<>();
        for (String name : getPropertyNames()) {
            String value = getValue(name);
            if (value != null) {
                values.put(name, value);
            }
        }
        return values;
    }

    @Override
    public int getOrdinal() {
        return 50;
    }

    @Override
    public String getName() {
        return "evolution-provisioner-fault-tolerance";
    }

    /** The value a person set, as a system property or an environment variable; null when unset. */
    private static String setting(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            value = System.getenv(key.toUpperCase().replace('.', '_'));
        }
        return value == null || value.isBlank() ? null : value.trim();
    }
}
