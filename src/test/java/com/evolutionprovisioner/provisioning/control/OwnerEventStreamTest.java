package com.evolutionprovisioner.provisioning.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.provisioning.entity.OwnerEvent;
import com.evolutionprovisioner.security.UserId;
import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OwnerEventStreamTest {

    private final UserId ana = new UserId(UUID.randomUUID());
    private final RecordingSink sink = new RecordingSink();
    private final List<OwnerEventStream> closed = new ArrayList<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final OwnerEventStream stream = new OwnerEventStream(ana, sink, new FakeSse(), closed::add, sent::incrementAndGet);

    @Test
    void liveEventsThatArriveBeforeTheCurrentStateFollowIt() {
        stream.deliver(event(8, "connection", "{\"state\":\"open\"}"));

        stream.start(List.of(event(7, "status", "{\"status\":\"completed\"}")), false);
        stream.deliver(event(9, "qrcode", "{\"qrCode\":null}"));

        assertThat(sink.lines).containsExactly("7 status {\"status\":\"completed\"}", "8 connection {\"state\":\"open\"}",
                "9 qrcode {\"qrCode\":null}");
        assertThat(sent).hasValue(3);
    }

    @Test
    void aReplayIsNotFollowedByTheSameEventsArrivingLive() {
        stream.deliver(event(12, "connection", "{\"state\":\"close\"}"));
        stream.deliver(event(13, "connection", "{\"state\":\"connecting\"}"));

        stream.start(List.of(event(11, "qrcode", "{\"qrCode\":\"a\"}"), event(12, "connection", "{\"state\":\"close\"}")), true);

        assertThat(sink.lines).containsExactly("11 qrcode {\"qrCode\":\"a\"}", "12 connection {\"state\":\"close\"}",
                "13 connection {\"state\":\"connecting\"}");
    }

    @Test
    void aHeartbeatIsACommentAndAClientThatLeftClosesTheStream() {
        stream.start(List.of(), false);
        stream.heartbeat();
        sink.failSends = true;
        stream.deliver(event(5, "status", "{\"status\":\"failed\"}"));
        stream.heartbeat();

        assertThat(sink.lines).containsExactly(": heartbeat");
        assertThat(closed).containsExactly(stream);
        assertThat(sink.closed).isTrue();
        assertThat(sent).hasValue(0);
    }

    private OwnerEvent event(long id, String type, String data) {
        return new OwnerEvent(id, ana, type, data);
    }

    /** Records each event as "id type data", each comment as ": comment". */
    private static final class RecordingSink implements SseEventSink {
        final List<String> lines = new ArrayList<>();
        boolean failSends;
        boolean closed;

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (failSends) {
                return CompletableFuture.failedFuture(new IllegalStateException("client gone"));
            }
            lines.add(event.getComment() != null ? ": " + event.getComment()
                    : event.getId() + " " + event.getName() + " " + event.getData());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class FakeSse implements Sse {
        @Override
        public OutboundSseEvent.Builder newEventBuilder() {
            return new Builder();
        }

        @Override
        public SseBroadcaster newBroadcaster() {
            throw new UnsupportedOperationException();
        }
    }

    private record Event(String getId, String getName, String getComment, Object getData) implements OutboundSseEvent {
        @Override
        public long getReconnectDelay() {
            return -1;
        }

        @Override
        public boolean isReconnectDelaySet() {
            return false;
        }

        @Override
        public Class<?> getType() {
            return getData == null ? null : getData.getClass();
        }

        @Override
        public Type getGenericType() {
            return getType();
        }

        @Override
        public MediaType getMediaType() {
            return MediaType.TEXT_PLAIN_TYPE;
        }
    }

    private static final class Builder implements OutboundSseEvent.Builder {
        private String id;
        private String name;
        private String comment;
        private Object data;

        @Override
        public OutboundSseEvent.Builder id(String id) {
            this.id = id;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder name(String name) {
            this.name = name;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder reconnectDelay(long milliseconds) {
            return this;
        }

        @Override
        public OutboundSseEvent.Builder mediaType(MediaType mediaType) {
            return this;
        }

        @Override
        public OutboundSseEvent.Builder comment(String comment) {
            this.comment = comment;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder data(Class type, Object data) {
            this.data = data;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder data(GenericType type, Object data) {
            this.data = data;
            return this;
        }

        @Override
        public OutboundSseEvent.Builder data(Object data) {
            this.data = data;
            return this;
        }

        @Override
        public OutboundSseEvent build() {
            return new Event(id, name, comment, data);
        }
    }
}
