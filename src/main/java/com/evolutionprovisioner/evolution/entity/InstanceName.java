package com.evolutionprovisioner.evolution.entity;

import com.evolutionprovisioner.security.UserId;
import java.util.regex.Pattern;

/**
 * The name of an Evolution instance. Evolution accepts almost any string, but names with spaces or odd characters
 * break its URL routes for good, so the names we generate are lower-case {@code [a-z0-9-]} derived from the user id.
 */
public record InstanceName(String value) {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final String PREFIX = "evp-";

    public InstanceName {
        if (value == null || !SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException("Not a usable Evolution instance name: " + value);
        }
    }

    /** The canonical name of a user's instance: deterministic, so a retry after a crash finds what was created. */
    public static InstanceName forUser(UserId userId) {
        return new InstanceName(PREFIX + userId.value().toString().toLowerCase());
    }

    @Override
    public String toString() {
        return value;
    }
}
