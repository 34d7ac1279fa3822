package com.evolutionprovisioner.platform;

import jakarta.annotation.Priority;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Lets operators write durations the way they speak them — {@code 30s}, {@code 500ms}, {@code 10m}, {@code 2h},
 * a bare number of seconds — as well as ISO-8601 ({@code PT30S}).
 */
@Priority(200)
public class DurationConverter implements Converter<Duration> {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    @Override
    public Duration convert(String value) {
        String text = value.trim();
        if (text.isEmpty()) {
            return null;
        }
        if (text.regionMatches(true, 0, "P", 0, 1)) {
            return Duration.parse(text);
        }
        Matcher matcher = SIMPLE.matcher(text.toLowerCase());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Not a duration: '" + value + "' (examples: 30s, 500ms, 10m, PT30S)");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofSeconds(amount);
        };
    }
}
