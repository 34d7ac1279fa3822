package com.evolutionprovisioner.webhooks.control;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When an event happened, as far as we can trust it. Evolution stamps {@code date_time} with its local time and a
 * {@code Z} appended (wrong unless it runs in UTC), and any server clock can be off: an event stamped in the future
 * would make every genuine later event look older. So the effective time is
 * {@code min(date_time, received + WEBHOOK_CLOCK_SKEW)}:
 * Evolution's own order between its events is kept, and no stamp can be later than the moment we could have seen it.
 */
public final class EventTime {

    private EventTime() {
    }

    /** {@code skew}: how far ahead of our clock an honest sender's stamp may be (WEBHOOK_CLOCK_SKEW). */
    public static OffsetDateTime effective(String dateTime, OffsetDateTime receivedAt, Duration skew) {
        OffsetDateTime latestCredible = receivedAt.plus(skew);
        return stamped(dateTime)
                .map(stamp -> stamp.isAfter(latestCredible) ? latestCredible : stamp)
                .orElse(receivedAt);
    }

    /** Evolution's stamp minus our clock: hours here mean the server's time zone or clock is wrong. */
    public static Optional<Duration> senderOffset(String dateTime, OffsetDateTime receivedAt) {
        return stamped(dateTime).map(stamp -> Duration.between(receivedAt, stamp));
    }

    /** Native queries hand timestamptz columns back as java.sql.Timestamp (or, with some drivers, OffsetDateTime). */
    public static OffsetDateTime fromDatabase(Object value) {
        return value instanceof Timestamp timestamp
                ? timestamp.toInstant().atOffset(ZoneOffset.UTC) : (OffsetDateTime) value;
    }

    static Optional<OffsetDateTime> stamped(String dateTime) {
        if (dateTime == null || dateTime.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(dateTime));
        } catch (DateTimeParseException notIso) {
            return Optional.empty();
        }
    }
}
