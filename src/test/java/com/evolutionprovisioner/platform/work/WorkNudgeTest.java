package com.evolutionprovisioner.platform.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkNudgeTest {

    @Test
    void aNudgeReadsBackAsItWasSent() throws Exception {
        WorkNudge sent = new WorkNudge(List.of(42L, 7L, 1_000_000_000_000L), "receipt");

        WorkNudge read = WorkNudge.read(textMessage(sent.body(), sent.via()));

        assertThat(sent.body()).isEqualTo("42,7,1000000000000");
        assertThat(read).isEqualTo(sent);
    }

    @Test
    void oneIdWithSpacesAroundItIsRead() throws Exception {
        assertThat(WorkNudge.read(textMessage(" 42 ", "signup"))).isEqualTo(WorkNudge.of(42L, "signup"));
        assertThat(WorkNudge.read(textMessage("1, 2", "poller")).ids()).containsExactly(1L, 2L);
    }

    @Test
    void aMessageNamingNoPathIsReadAsUnnamed() throws Exception {
        assertThat(WorkNudge.read(textMessage("5", null))).isEqualTo(WorkNudge.of(5L, WorkNudge.UNNAMED_VIA));
    }

    @Test
    void aBodyThatIsNotRowIdsIsUnreadable() {
        assertThatThrownBy(() -> WorkNudge.read(textMessage("42;43", "signup")))
                .isInstanceOf(WorkNudge.Unreadable.class).hasMessage("the body is not a comma-separated list of row ids");
        assertThatThrownBy(() -> WorkNudge.read(textMessage("1,,2", "signup")))
                .isInstanceOf(WorkNudge.Unreadable.class).hasMessage("the body is not a comma-separated list of row ids");
    }

    @Test
    void anEmptyBodyIsUnreadable() {
        assertThatThrownBy(() -> WorkNudge.read(textMessage("  ", "signup")))
                .isInstanceOf(WorkNudge.Unreadable.class).hasMessage("no row ids");
        assertThatThrownBy(() -> WorkNudge.read(textMessage(null, "signup")))
                .isInstanceOf(WorkNudge.Unreadable.class).hasMessage("no row ids");
    }

    @Test
    void aMessageThatIsNotTextIsUnreadable() {
        Message bytes = (Message) Proxy.newProxyInstance(BytesMessage.class.getClassLoader(),
                new Class<?>[] {BytesMessage.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });

        assertThatThrownBy(() -> WorkNudge.read(bytes))
                .isInstanceOf(WorkNudge.Unreadable.class).hasMessage("not a text message");
    }

    @Test
    void aMessageTheBrokerCannotReadIsUnreadable() {
        Message broken = (Message) Proxy.newProxyInstance(TextMessage.class.getClassLoader(),
                new Class<?>[] {TextMessage.class}, (proxy, method, args) -> {
                    throw new JMSException("session closed");
                });

        assertThatThrownBy(() -> WorkNudge.read(broken))
                .isInstanceOf(WorkNudge.Unreadable.class).hasMessage("the broker could not read it: session closed");
    }

    @Test
    void aNudgeNamesAtLeastOneRow() {
        assertThatThrownBy(() -> new WorkNudge(List.of(), "poller")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A text message with this body and, unless null, this via property. */
    static TextMessage textMessage(String body, String via) {
        return (TextMessage) Proxy.newProxyInstance(TextMessage.class.getClassLoader(), new Class<?>[] {TextMessage.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getText" -> body;
                    case "getStringProperty" -> WorkNudge.VIA_PROPERTY.equals(args[0]) ? via : null;
                    case "toString" -> "TextMessage[" + body + "]";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
