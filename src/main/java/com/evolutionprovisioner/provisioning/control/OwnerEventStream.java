package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.provisioning.entity.OwnerEvent;
import com.evolutionprovisioner.security.UserId;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One open event stream of an owner. It is registered before its first events are read, so nothing committed in
 * between is lost: live events that arrive meanwhile wait, and follow the first ones (less those a replay already
 * sent). Sends are serialised per stream; a send that fails (the client went away) closes it.
 */
public class OwnerEventStream {

    private final UserId user;
    private final SseEventSink sink;
    private final Sse sse;
    private final Consumer<OwnerEventStream> onClose;
    private final Runnable onSent;
    private List<OwnerEvent> waiting = new ArrayList<>();
    private boolean closed;

    OwnerEventStream(UserId user, SseEventSink sink, Sse sse, Consumer<OwnerEventStream> onClose, Runnable onSent) {
        this.user = user;
        this.sink = sink;
        this.sse = sse;
        this.onClose = onClose;
        this.onSent = onSent;
    }

    public UserId user() {
        return user;
    }

    /**
     * Sends what the client must see first (the current state, or the events it missed), then the live events that
     * arrived since the stream was registered, except those among the first.
     */
    public synchronized void start(List<OwnerEvent> first, boolean firstAreStoredEvents) {
        Set<Long> replayed = firstAreStoredEvents
                ? first.stream().map(OwnerEvent::id).collect(Collectors.toSet()) : Set.of();
        List<OwnerEvent> arrived = waiting;
        waiting = null;
        first.forEach(this::send);
        arrived.stream().filter(event -> !replayed.contains(event.id())).forEach(this::send);
    }

    synchronized void deliver(OwnerEvent event) {
        if (waiting != null) {
            waiting.add(event);
        } else {
            send(event);
        }
    }

    synchronized void heartbeat() {
        if (!closed) {
            send(sse.newEventBuilder().comment("heartbeat").build(), false);
        }
    }

    /** Ends the stream from our side (undeployment); the client's EventSource reconnects elsewhere. */
    synchronized void close() {
        if (!closed) {
            closed = true;
            sink.close();
            onClose.accept(this);
        }
    }

    private void send(OwnerEvent event) {
        if (!closed) {
            send(sse.newEventBuilder().id(Long.toString(event.id())).name(event.type()).data(event.data()).build(), true);
        }
    }

    private void send(OutboundSseEvent event, boolean counted) {
        if (sink.isClosed()) {
            close();
            return;
        }
        try {
            sink.send(event).whenComplete((ignored, failure) -> {
                if (failure != null) {
                    close();
                } else if (counted) {
                    onSent.run();
                }
            });
        } catch (RuntimeException clientGone) {
            close();
        }
    }
}
