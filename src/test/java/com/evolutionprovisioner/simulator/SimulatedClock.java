package com.evolutionprovisioner.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The simulated server's clock. Evolution stamps {@code date_time} with {@code new Date(Date.now() - tzoffset)
 * .toISOString()}: local time with a {@code Z} appended, so a server at UTC-3 writes times 3 h behind; and a server
 * whose clock is wrong (skew) shifts that stamp, the token's {@code iat} and {@code X-Timestamp} alike. Thread-safe.
 */
final class SimulatedClock {

    private static final DateTimeFormatter ISO_MILLIS_WITH_Z = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

    private volatile ZoneOffset zone = ZoneOffset.UTC;
    private volatile Duration skew = Duration.ZERO;

    /** {@code timeZoneOffset}: the server's zone (whole seconds, at most ±18 h); {@code skew}: how far its clock is off. */
    void set(Duration timeZoneOffset, Duration skew) {
        if (timeZoneOffset.getNano() != 0) {
            throw new IllegalArgumentException("a time-zone offset is whole seconds, not " + timeZoneOffset);
        }
        this.zone = ZoneOffset.ofTotalSeconds(Math.toIntExact(timeZoneOffset.getSeconds()));
        this.skew = skew;
    }

    void reset() {
        set(Duration.ZERO, Duration.ZERO);
    }

    /** What the server believes the time is ({@code Date.now()}). */
    Instant now() {
        return Instant.now().plus(skew);
    }

    /** Evolution's {@code date_time} for a moment of the server's clock. */
    String dateTime(Instant serverTime) {
        return LocalDateTime.ofInstant(serverTime, zone).format(ISO_MILLIS_WITH_Z);
    }
}
