package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.platform.ApplicationMetrics;
import com.evolutionprovisioner.provisioning.entity.OwnerEvent;
import com.evolutionprovisioner.security.UserId;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The owner event streams open on this node, by user: the listener hands each event to its user's streams, a timer
 * sends every stream a heartbeat comment (which also finds the clients that went away). Streams are limited per user
 * and per node; metrics {@code owner_event_streams_open} and {@code owner_events_sent_total}.
 */
@ApplicationScoped
public class OwnerEventHub {

    private static final Logger LOG = Logger.getLogger(OwnerEventHub.class.getName());

    @Inject
    @ConfigProperty(name = "event.streams.per.user")
    int streamsPerUser;

    @Inject
    @ConfigProperty(name = "event.streams.per.node")
    int streamsPerNode;

    @Inject
    @ConfigProperty(name = "event.stream.heartbeat")
    Duration heartbeat;

    @Inject
    ApplicationMetrics metrics;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private final Map<UserId, Set<OwnerEventStream>> streams = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private ScheduledFuture<?> heartbeats;

    @PostConstruct
    void startHeartbeats() {
        metrics.gauge("owner_event_streams_open", open::get);
        heartbeats = scheduler.scheduleAtFixedRate(this::sendHeartbeats, heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void closeAll() {
        heartbeats.cancel(false);
        allStreams().forEach(OwnerEventStream::close);
    }

    /**
     * Registers a new stream of {@code user}, before anything is read for it; 429 when the user or this node has as
     * many as allowed (a stream whose client left is noticed at the next heartbeat, hence Retry-After).
     */
    public synchronized OwnerEventStream open(UserId user, SseEventSink sink, Sse sse) {
        Set<OwnerEventStream> ofUser = streams.computeIfAbsent(user, key -> ConcurrentHashMap.newKeySet());
        if (ofUser.size() >= streamsPerUser || open.get() >= streamsPerNode) {
            boolean userLimit = ofUser.size() >= streamsPerUser;
            LOG.info(() -> "Event stream refused for user " + user + ": " + (userLimit
                    ? streamsPerUser + " open for this user (EVENT_STREAMS_PER_USER)"
                    : streamsPerNode + " open on this node (EVENT_STREAMS_PER_NODE)"));
            throw ApiException.tooManyRequests(userLimit
                    ? "Too many open event streams for this user; close one first."
                    : "This server holds as many event streams as it may; retry shortly.", heartbeat);
        }
        OwnerEventStream stream = new OwnerEventStream(user, sink, sse, this::forget,
                () -> metrics.increment("owner_events_sent"));
        ofUser.add(stream);
        open.incrementAndGet();
        return stream;
    }

    /** Removes a stream that never started (its request failed) or has closed. */
    public synchronized void forget(OwnerEventStream stream) {
        Set<OwnerEventStream> ofUser = streams.get(stream.user());
        if (ofUser != null && ofUser.remove(stream)) {
            open.decrementAndGet();
            if (ofUser.isEmpty()) {
                streams.remove(stream.user());
            }
        }
    }

    /** Hands the events to the open streams of their users; events of users without a stream here are ignored. */
    void deliver(List<OwnerEvent> events) {
        for (OwnerEvent event : events) {
            Set<OwnerEventStream> ofUser = streams.get(event.userId());
            if (ofUser != null) {
                ofUser.forEach(stream -> stream.deliver(event));
            }
        }
    }

    /** Whether any stream is open on this node: when none is, the listener need not read the events notified. */
    boolean anyStreamOpen() {
        return open.get() > 0;
    }

    /** The users with an open stream on this node. */
    Set<UserId> watchedUsers() {
        return Set.copyOf(streams.keySet());
    }

    private void sendHeartbeats() {
        allStreams().forEach(OwnerEventStream::heartbeat);
    }

    private List<OwnerEventStream> allStreams() {
        List<OwnerEventStream> all = new ArrayList<>();
        streams.values().forEach(all::addAll);
        return all;
    }
}
