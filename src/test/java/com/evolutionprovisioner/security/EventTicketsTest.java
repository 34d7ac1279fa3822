package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventTicketsTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00.250Z");
    private final byte[] secretsKey = filled(7);
    private final UserId ana = new UserId(UUID.randomUUID());
    private final UserId bo = new UserId(UUID.randomUUID());

    @Test
    void aFreshTicketNamesItsUserAndExpiresAfterTheTimeToLive() throws Exception {
        EventTickets.Ticket ticket = tickets(NOW).issue(ana);

        assertThat(ticket.expiresAt()).isEqualTo(Instant.parse("2026-11-28T12:01:00Z"));
        assertThat(ticket.ticket()).startsWith("e1." + ana + ".").doesNotContain("=", "+", "/");
        assertThat(tickets(NOW.plusSeconds(59)).verify(ticket.ticket())).isEqualTo(ana);
    }

    @Test
    void anotherNodeWithTheSameSecretsKeyAcceptsIt() throws Exception {
        String ticket = tickets(NOW).issue(ana).ticket();

        assertThat(new EventTickets(filled(7), Duration.ofSeconds(60), Clock.fixed(NOW, ZoneOffset.UTC)).verify(ticket))
                .isEqualTo(ana);
    }

    @Test
    void anExpiredTicketIsRefused() {
        String ticket = tickets(NOW).issue(ana).ticket();

        assertThatThrownBy(() -> tickets(Instant.parse("2026-11-28T12:01:00Z")).verify(ticket))
                .isInstanceOf(EventTickets.InvalidTicketException.class).hasMessage("ticket expired");
    }

    @Test
    void aTicketMovedToAnotherUserOrALaterExpiryIsRefused() {
        String[] parts = tickets(NOW).issue(ana).ticket().split("\\.");

        String otherUser = String.join(".", parts[0], bo.toString(), parts[2], parts[3]);
        String longerLife = String.join(".", parts[0], parts[1], Long.toString(Long.parseLong(parts[2]) + 3600), parts[3]);

        for (String forged : new String[] {otherUser, longerLife}) {
            assertThatThrownBy(() -> tickets(NOW).verify(forged))
                    .isInstanceOf(EventTickets.InvalidTicketException.class).hasMessage("ticket signature does not match");
        }
    }

    @Test
    void aTicketSignedWithAnotherKeyOrMalformedIsRefused() {
        String foreign = new EventTickets(filled(8), Duration.ofSeconds(60), Clock.fixed(NOW, ZoneOffset.UTC))
                .issue(ana).ticket();
        String ticket = tickets(NOW).issue(ana).ticket();
        String flipped = ticket.substring(0, ticket.length() - 1) + (ticket.endsWith("A") ? "B" : "A");

        assertThatThrownBy(() -> tickets(NOW).verify(foreign)).hasMessage("ticket signature does not match");
        assertThatThrownBy(() -> tickets(NOW).verify(flipped)).hasMessage("ticket signature does not match");
        for (String malformed : new String[] {"", "e1.x", "e2." + ticket.substring(3), ticket + ".extra", null}) {
            assertThatThrownBy(() -> tickets(NOW).verify(malformed))
                    .isInstanceOf(EventTickets.InvalidTicketException.class);
        }
    }

    @Test
    void aBearerTokenIsNoTicket() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

        assertThatThrownBy(() -> tickets(NOW).verify(jwt)).hasMessage("malformed ticket");
    }

    private EventTickets tickets(Instant now) {
        return new EventTickets(secretsKey, Duration.ofSeconds(60), Clock.fixed(now, ZoneOffset.UTC));
    }

    private static byte[] filled(int value) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) value);
        return key;
    }
}
