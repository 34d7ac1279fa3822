package com.evolutionprovisioner.security;

import java.util.UUID;

/** The id of a signed-up user: the token's {@code sub}, and the primary key of their profile. */
public record UserId(UUID value) {

    public UserId {
        if (value == null) {
            throw new IllegalArgumentException("user id is required");
        }
    }

    /** Parses a user id, or returns null when the text is not a UUID. */
    public static UserId parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        try {
            return new UserId(UUID.fromString(text.trim()));
        } catch (IllegalArgumentException notAUuid) {
            return null;
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
