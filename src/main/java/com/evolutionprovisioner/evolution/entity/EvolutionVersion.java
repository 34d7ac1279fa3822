package com.evolutionprovisioner.evolution.entity;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Evolution server's release, as {@code GET /} reports it ({@code "version": "2.3.6"}): it selects the request
 * shapes the server gets. Only major and minor matter for the shapes; pre-release suffixes are ignored.
 */
public record EvolutionVersion(int major, int minor, String text) implements Comparable<EvolutionVersion> {

    private static final Pattern RELEASE = Pattern.compile("v?(\\d+)\\.(\\d+)(?:[.\\-+].*)?");

    /** Empty when the text is not a release number. */
    public static Optional<EvolutionVersion> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher release = RELEASE.matcher(text.trim());
        if (!release.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new EvolutionVersion(Integer.parseInt(release.group(1)),
                    Integer.parseInt(release.group(2)), text.trim()));
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
    }

    /** v2.1 and later take the webhook nested in the create body (and in {@code webhook/set}). */
    public boolean nestsWebhook() {
        return compareTo(new EvolutionVersion(2, 1, "2.1")) >= 0;
    }

    /** v2.0 takes the flat 2.0 webhook body; v1 its own flat body. */
    public boolean isV1() {
        return major < 2;
    }

    @Override
    public int compareTo(EvolutionVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return text;
    }
}
