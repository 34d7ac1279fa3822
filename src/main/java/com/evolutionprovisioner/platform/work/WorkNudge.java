package com.evolutionprovisioner.platform.work;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The one message every pipeline's broker queue carries: "work these rows now", the row ids comma-separated as the
 * body and the path that sent it in one property. It carries no state: the rows are the truth, so a lost nudge costs
 * a delay until the safety-net round, a duplicate one a claim that finds nothing to do.
 */
public record WorkNudge(List<Long> ids, String via) {

    /** The JMS property naming the path that sent the nudge (recorded as claimed_via / applied_via). */
    public static final String VIA_PROPERTY = "via";
    /** The path of a message that names none (sent by hand, or by a node older than this format). */
    public static final String UNNAMED_VIA = "jms";

    public WorkNudge {
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("A nudge names at least one row");
        }
        ids = List.copyOf(ids);
        Objects.requireNonNull(via, "via");
    }

    public static WorkNudge of(long id, String via) {
        return new WorkNudge(List.of(id), via);
    }

    public String body() {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** The nudge a message carries, or {@link Unreadable} saying why it carries none. */
    public static WorkNudge read(Message message) throws Unreadable {
        if (!(message instanceof TextMessage text)) {
            throw new Unreadable("not a text message");
        }
        try {
            String body = text.getText();
            if (body == null || body.isBlank()) {
                throw new Unreadable("no row ids");
            }
            String via = message.getStringProperty(VIA_PROPERTY);
            return new WorkNudge(Arrays.stream(body.split(",")).map(String::trim).map(Long::parseLong).toList(),
                    via == null ? UNNAMED_VIA : via);
        } catch (NumberFormatException notIds) {
            throw new Unreadable("the body is not a comma-separated list of row ids");
        } catch (JMSException broken) {
            throw new Unreadable("the broker could not read it: " + broken.getMessage());
        }
    }

    /** Why a message is not a nudge; it is dropped (redelivering it would fail again), its rows left to the safety net. */
    public static final class Unreadable extends Exception {
        public Unreadable(String reason) {
            super(reason);
        }
    }
}
