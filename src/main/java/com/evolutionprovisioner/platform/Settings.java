package com.evolutionprovisioner.platform;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;

/**
 * Configuration values by their MicroProfile Config key, as text: what the start-up review reads, so that the rules
 * can be tested with a plain map. A blank value counts as unset, as in MicroProfile Config.
 */
@FunctionalInterface
public interface Settings {

    /** Set to true by command 1 only: relaxes what a developer on 127.0.0.1 cannot provide (https, iss, aud). */
    String DEVELOPMENT_MODE = "development.mode";

    Optional<String> text(String key);

    /** A boolean setting, with MicroProfile Config's spellings of true (true, 1, yes, y, on). */
    default boolean flag(String key, boolean fallback) {
        return text(key)
                .map(value -> Set.of("true", "1", "yes", "y", "on").contains(value.trim().toLowerCase(Locale.ROOT)))
                .orElse(fallback);
    }

    default boolean developmentMode() {
        return flag(DEVELOPMENT_MODE, false);
    }

    static Settings of(Config config) {
        return key -> config.getOptionalValue(key, String.class).filter(value -> !value.isBlank());
    }

    static Settings of(Map<String, String> values) {
        return key -> Optional.ofNullable(values.get(key)).filter(value -> !value.isBlank());
    }
}
