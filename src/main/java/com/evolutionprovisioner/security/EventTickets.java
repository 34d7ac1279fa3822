package com.evolutionprovisioner.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived tickets that let a browser's {@code EventSource}, which cannot send an Authorization header, open its
 * owner's event stream: {@code e1.<user id>.<expiry, epoch seconds>.<HMAC-SHA256>}. The key is derived from
 * SECRETS_KEY, so every node verifies what any node issued, nothing is stored, and there is no new secret to set.
 * A ticket proves the user and nothing more: it opens the event stream only, never as the service role.
 */
public final class EventTickets {

    private static final String VERSION = "e1";
    private static final String ALGORITHM = "HmacSHA256";
    /** Separates this key from every other use of SECRETS_KEY (which encrypts instance secrets). */
    private static final byte[] KEY_PURPOSE = "evolution-provisioner event stream tickets v1".getBytes(StandardCharsets.UTF_8);

    private final SecretKeySpec key;
    private final Duration timeToLive;
    private final Clock clock;

    /** A ticket as the client receives it. */
    public record Ticket(String ticket, Instant expiresAt) {
    }

    /** A ticket that is malformed, forged, expired or for nobody; the message says which, never the ticket. */
    public static class InvalidTicketException extends Exception {
        InvalidTicketException(String message) {
            super(message);
        }
    }

    /**
     * @param secretsKey SECRETS_KEY (32 bytes): the ticket key is HMAC-SHA256(SECRETS_KEY, purpose)
     * @param timeToLive EVENT_TICKET_TTL
     */
    public EventTickets(byte[] secretsKey, Duration timeToLive, Clock clock) {
        this.key = new SecretKeySpec(mac(new SecretKeySpec(secretsKey, ALGORITHM), KEY_PURPOSE), ALGORITHM);
        this.timeToLive = timeToLive;
        this.clock = clock;
    }

    public Ticket issue(UserId user) {
        Instant expiresAt = clock.instant().plus(timeToLive).truncatedTo(ChronoUnit.SECONDS);
        String signed = VERSION + "." + user + "." + expiresAt.getEpochSecond();
        return new Ticket(signed + "." + signature(signed), expiresAt);
    }

    /** The user a ticket was issued to, if its signature holds and it has not expired. */
    public UserId verify(String ticket) throws InvalidTicketException {
        String[] parts = ticket == null ? new String[0] : ticket.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new InvalidTicketException("malformed ticket");
        }
        String signed = parts[0] + "." + parts[1] + "." + parts[2];
        if (!MessageDigest.isEqual(signature(signed).getBytes(StandardCharsets.US_ASCII),
                parts[3].getBytes(StandardCharsets.US_ASCII))) {
            throw new InvalidTicketException("ticket signature does not match");
        }
        UserId user = UserId.parseOrNull(parts[1]);
        long expiresAt;
        try {
            expiresAt = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw new InvalidTicketException("malformed ticket");
        }
        if (user == null) {
            throw new InvalidTicketException("malformed ticket");
        }
        if (!clock.instant().isBefore(Instant.ofEpochSecond(expiresAt))) {
            throw new InvalidTicketException("ticket expired");
        }
        return user;
    }

    private String signature(String signed) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(key, signed.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] mac(SecretKeySpec key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
