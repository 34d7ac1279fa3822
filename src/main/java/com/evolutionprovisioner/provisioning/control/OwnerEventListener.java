package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.platform.ServerResources;
import com.evolutionprovisioner.provisioning.entity.OwnerEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * This node's one {@code LISTEN owner_events} connection, so that an event written on any node (the V70 triggers
 * send its id with NOTIFY) reaches the streams open here. A managed thread holds a connection of the application's
 * own pool (same settings and credentials on every server) and waits for notifications; after a failure it connects
 * again, with a growing pause, and first catches up on the events of the watched users it missed meanwhile.
 */
@ApplicationScoped
public class OwnerEventListener implements Runnable {

    private static final Logger LOG = Logger.getLogger(OwnerEventListener.class.getName());
    public static final String CHANNEL = "owner_events";
    /** How long one wait for notifications lasts: also how soon the thread notices undeployment. */
    private static final int WAIT_MILLIS = 2000;
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    @Resource(lookup = ServerResources.DATASOURCE)
    DataSource dataSource;

    @Resource
    ManagedThreadFactory threads;

    @Inject
    OwnerEventStore store;

    @Inject
    OwnerEventHub hub;

    private volatile boolean running;
    /** The highest event id handed to the hub; -1 until the first LISTEN. Only the listener thread uses it. */
    private long seen = -1;

    void start(@Observes @Initialized(ApplicationScoped.class) Object deployed) {
        running = true;
        Thread thread = threads.newThread(this);
        thread.setName("owner-events-listener");
        thread.start();
    }

    @PreDestroy
    void stop() {
        running = false;
    }

    @Override
    public void run() {
        Duration pause = Duration.ofSeconds(1);
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                long listeningFrom = store.latestId();
                if (seen >= 0) {
                    // Notifications sent while no connection listened are gone: read what they announced.
                    hub.deliver(store.afterFor(hub.watchedUsers(), seen));
                    LOG.info(() -> "Listening for owner events again");
                }
                seen = Math.max(seen, listeningFrom);
                pause = Duration.ofSeconds(1);
                listen(connection.unwrap(PGConnection.class));
                try (Statement statement = connection.createStatement()) {
                    statement.execute("UNLISTEN *"); // the connection goes back to the pool
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                Duration wait = pause;
                LOG.log(Level.WARNING, () -> "Owner events: listening failed (" + rootCause(e)
                        + "); streams on this node get no live events until it connects again, in " + wait);
                sleep(wait);
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    /** Hands over the events notified until undeployment. */
    private void listen(PGConnection connection) throws SQLException {
        while (running) {
            PGNotification[] notifications = connection.getNotifications(WAIT_MILLIS);
            if (notifications == null || notifications.length == 0) {
                continue;
            }
            List<Long> ids = new ArrayList<>(notifications.length);
            for (PGNotification notification : notifications) {
                if (notification.getParameter().matches("\\d{1,18}")) { // anyone may NOTIFY this channel
                    ids.add(Long.valueOf(notification.getParameter()));
                }
            }
            if (!hub.anyStreamOpen()) {
                // Nobody streams from this node: nothing to read. A stream opened from now on registers before it
                // reads, so it reads these events (committed before they were notified) itself.
                ids.forEach(id -> seen = Math.max(seen, id));
                continue;
            }
            List<OwnerEvent> events = store.byIds(ids);
            hub.deliver(events);
            for (OwnerEvent event : events) {
                seen = Math.max(seen, event.id());
            }
        }
    }

    /** Payara's pool wraps the driver's exception (UndeclaredThrowableException): the driver's words are inside. */
    private static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
