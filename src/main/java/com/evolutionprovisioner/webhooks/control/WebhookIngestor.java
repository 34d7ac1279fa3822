package com.evolutionprovisioner.webhooks.control;

import static com.evolutionprovisioner.platform.JsonSupport.JSON;

import com.evolutionprovisioner.platform.ServerResources;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Stores authentic deliveries exactly once. The dedup key collapses Evolution's retries (which re-post the identical
 * body, {@code date_time} included) and nothing else: a state that comes back (open, close, open) is a new event.
 *
 * <p>Group commit: a writer thread stores every delivery that arrived while the previous commit was being flushed
 * in one multi-row INSERT and one COMMIT, and only then completes their futures (on the responder threads), so a
 * 200 still means "on disk" while a thousand deliveries a second cost a few dozen fsyncs instead of a thousand. A
 * batch that fails is retried row by row, so one row the database refuses fails only its own delivery; an
 * unreachable database fails them all at once.
 * The new events are handed to the applier in one JMS message per WEBHOOK_INGEST_DISPATCH_INTERVAL.
 */
@ApplicationScoped
public class WebhookIngestor {

    private static final Logger LOG = Logger.getLogger(WebhookIngestor.class.getName());
    /** Events about one message: a message id and its status identify them, whatever else the body carries. */
    static final Set<String> MESSAGE_EVENTS = Set.of(
            "messages.upsert", "messages.update", "messages.delete", "send.message", "send.message.update");
    /** PostgreSQL's jsonb refuses U+0000; it is stored as the replacement character instead. */
    private static final String NUL = "\u0000";
    private static final String REPLACEMENT = "\uFFFD";
    /** Rows in the same order in every batch, on every node: two writers inserting the same keys cannot deadlock. */
    private static final Comparator<Delivery> LOCK_ORDER = Comparator.comparing(Delivery::dedupKey);
    /**
     * The payloads travel as one JSON array text, each already valid JSON: as a text[] the driver escaped them character
     * by character, a quarter of the writer's CPU. ORDER BY keeps the rows in lock order through the join.
     */
    private static final String INSERT = """
            INSERT INTO webhook_events (instance_name, event, dedup_key, payload)
            SELECT batch.instance_name, batch.event, batch.dedup_key, payloads.payload
              FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS batch(instance_name, event, dedup_key, n)
              JOIN jsonb_array_elements(CAST(? AS jsonb)) WITH ORDINALITY AS payloads(payload, n) ON payloads.n = batch.n
             ORDER BY batch.n
            ON CONFLICT (dedup_key) DO NOTHING
            RETURNING id, dedup_key""";

    @Resource(lookup = ServerResources.DATASOURCE)
    DataSource database;

    @Resource
    ManagedThreadFactory threads;

    @Inject
    WebhookEventDispatcher dispatcher;

    /** Most deliveries one commit takes; more wait for the next. */
    @Inject
    @ConfigProperty(name = "webhook.ingest.batch.size")
    int maxBatch;

    /**
     * How often, at most, the new events are handed to the applier in one message: a message per commit made one
     * application transaction per one or two events, most of the applier's CPU. Nobody waits for an event's
     * application; its row is the durable record, which the poller finds if this node stops before sending.
     */
    @Inject
    @ConfigProperty(name = "webhook.ingest.dispatch.interval")
    Duration dispatchInterval;

    /** Deliveries waiting for the writer; beyond this a delivery is answered 503 at once (Evolution retries). */
    @Inject
    @ConfigProperty(name = "webhook.ingest.queue.capacity")
    int capacity;

    /** One delivery waiting to be stored, with what its sender waits on. */
    private record Delivery(String instanceName, String event, String dedupKey, String payload,
                            CompletableFuture<Optional<Long>> stored) {
    }

    /**
     * Two writers: while one waits for its commit's fsync, the other gathers and writes the next batch. Rows are
     * sorted by key in every batch, so they cannot deadlock on a shared key.
     */
    static final int WRITERS = 2;

    /**
     * Answering a delivery (Jersey's resume, writing the response) was two thirds of the writers' CPU, done one answer
     * after another while the next batch waited: the answers go to these threads, one per core since it is CPU work.
     */
    private static final int RESPONDERS = Runtime.getRuntime().availableProcessors();

    private BlockingQueue<Delivery> waiting;
    private ExecutorService responders;
    /** Ids of events committed and not yet handed to the applier. */
    private final BlockingQueue<Long> toDispatch = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private final List<Thread> workers = new ArrayList<>(); // the writers and the dispatching thread

    @PostConstruct
    void startWriters() {
        waiting = new ArrayBlockingQueue<>(capacity);
        responders = Executors.newFixedThreadPool(RESPONDERS, threads);
        running = true;
        for (int i = 1; i <= WRITERS; i++) {
            Thread writer = threads.newThread(this::writeUntilStopped);
            writer.setName("webhook-ingest-writer-" + i);
            writer.start();
            workers.add(writer);
        }
        Thread dispatching = threads.newThread(this::dispatchUntilStopped);
        dispatching.setName("webhook-ingest-dispatcher");
        dispatching.start();
        workers.add(dispatching);
    }

    @PreDestroy
    void stopWriters() {
        running = false;
        workers.forEach(Thread::interrupt);
        responders.shutdown();
    }

    /**
     * Completes, once the delivery is committed, with the new event's id, or empty for a retry of an event already
     * stored; completes exceptionally when it could not be stored (the database's own failure, or
     * {@link IngestRefusedException} when too many deliveries are already waiting).
     */
    public CompletionStage<Optional<Long>> store(String instanceName, String event, JsonObject payload) {
        Storable storable = storableForm(payload);
        Delivery delivery = new Delivery(sanitised(instanceName), sanitised(event),
                dedupKey(instanceName, event, storable.payload()), storable.text(), new CompletableFuture<>());
        if (!running || !waiting.offer(delivery)) {
            delivery.stored().completeExceptionally(new IngestRefusedException(running
                    ? capacity + " deliveries are already waiting to be stored" : "the application is stopping"));
        }
        return delivery.stored();
    }

    private void writeUntilStopped() {
        List<Delivery> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Delivery first = waiting.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, maxBatch - 1);
                write(batch);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException unexpected) {
                LOG.log(Level.SEVERE, "Webhook writer: unexpected failure storing " + batch.size() + " deliveries", unexpected);
                batch.forEach(delivery -> delivery.stored().completeExceptionally(unexpected));
            }
            batch.clear();
        }
        waiting.drainTo(batch);
        batch.forEach(delivery -> delivery.stored().completeExceptionally(new IngestRefusedException("the application is stopping")));
    }

    /** Every dispatch interval, one message for the events committed since the last (at most a batch's worth). */
    private void dispatchUntilStopped() {
        List<Long> eventIds = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Long first = toDispatch.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                Thread.sleep(dispatchInterval.toMillis()); // lets the events of the next commits join this message
                eventIds.add(first);
                toDispatch.drainTo(eventIds, maxBatch - 1);
                dispatcher.dispatch(eventIds, AppliedVia.RECEIPT, Duration.ZERO);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException unexpected) {
                LOG.log(Level.WARNING, "Webhook dispatcher: " + eventIds.size() + " events not queued for application;"
                        + " the poller will apply them", unexpected);
            }
            eventIds.clear();
        }
        toDispatch.drainTo(eventIds);
        if (!eventIds.isEmpty()) {
            dispatcher.dispatch(eventIds, AppliedVia.RECEIPT, Duration.ZERO); // stopping: without waiting
        }
    }

    /** One transaction for the batch; after a failure that is not the connection's, one per row. */
    private void write(List<Delivery> batch) {
        batch.sort(LOCK_ORDER);
        List<Long> newEvents = new ArrayList<>(batch.size());
        try {
            newEvents.addAll(insert(batch));
        } catch (SQLException failure) {
            if (batch.size() == 1 || isConnectionFailure(failure)) {
                LOG.warning(() -> "Could not store " + batch.size() + " webhook deliveries (answered 503): " + failure.getMessage());
                batch.forEach(delivery -> delivery.stored().completeExceptionally(failure));
                return;
            }
            LOG.warning(() -> "Storing " + batch.size() + " webhook deliveries together failed (" + failure.getMessage()
                    + "); storing them one by one");
            for (Delivery delivery : batch) {
                try {
                    newEvents.addAll(insert(List.of(delivery)));
                } catch (SQLException rowFailure) {
                    LOG.warning(() -> "Could not store a " + delivery.event() + " delivery for instance "
                            + delivery.instanceName() + ": " + rowFailure.getMessage());
                    delivery.stored().completeExceptionally(rowFailure);
                }
            }
        }
        toDispatch.addAll(newEvents);
    }

    /** Inserts and commits the rows, then completes each delivery; returns the ids of the events that are new. */
    private List<Long> insert(List<Delivery> rows) throws SQLException {
        Map<String, Long> created = new HashMap<>();
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setArray(1, connection.createArrayOf("text", rows.stream().map(Delivery::instanceName).toArray()));
                insert.setArray(2, connection.createArrayOf("text", rows.stream().map(Delivery::event).toArray()));
                insert.setArray(3, connection.createArrayOf("text", rows.stream().map(Delivery::dedupKey).toArray()));
                insert.setString(4, rows.stream().map(Delivery::payload).collect(Collectors.joining(",", "[", "]")));
                try (ResultSet ids = insert.executeQuery()) {
                    while (ids.next()) {
                        created.put(ids.getString(2), ids.getLong(1));
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException failure) {
                connection.rollback();
                throw failure;
            } finally {
                connection.setAutoCommit(true);
            }
        }
        // A key inserted now belongs to its first delivery in the batch; later copies of it are duplicates.
        List<Long> newEvents = new ArrayList<>(created.size());
        List<Optional<Long>> outcomes = new ArrayList<>(rows.size());
        for (Delivery delivery : rows) {
            Long id = created.remove(delivery.dedupKey());
            if (id != null) {
                newEvents.add(id);
            }
            outcomes.add(Optional.ofNullable(id));
        }
        answer(rows, outcomes);
        return newEvents;
    }

    /** Completes the committed deliveries on the responders, in one slice per responder. */
    private void answer(List<Delivery> rows, List<Optional<Long>> outcomes) {
        int slice = (rows.size() + RESPONDERS - 1) / RESPONDERS;
        for (int from = 0; from < rows.size(); from += slice) {
            List<Delivery> deliveries = List.copyOf(rows.subList(from, Math.min(rows.size(), from + slice)));
            List<Optional<Long>> stored = List.copyOf(outcomes.subList(from, Math.min(rows.size(), from + slice)));
            Runnable complete = () -> {
                for (int i = 0; i < deliveries.size(); i++) {
                    deliveries.get(i).stored().complete(stored.get(i));
                }
            };
            try {
                responders.execute(complete);
            } catch (RejectedExecutionException stopping) {
                complete.run(); // committed all the same: the senders still get their answer
            }
        }
    }

    private static boolean isConnectionFailure(SQLException failure) {
        String state = failure.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P") || state.startsWith("53");
    }

    /**
     * What we keep of a delivery: without {@code apikey} (the instance token, when an operator makes Evolution expose
     * it) and with every NUL character replaced, so no genuine delivery is ever answered with a 500.
     */
    static JsonObject storable(JsonObject payload) {
        return storableForm(payload).payload();
    }

    /** What we keep of a delivery, and its text. */
    private record Storable(JsonObject payload, String text) {
    }

    /**
     * Nearly every delivery has no NUL (which JSON text can only carry escaped, as \\u0000) and at most an
     * {@code apikey} to drop (Evolution sends it, often null): then a shallow copy; rebuilding the whole tree for
     * every delivery showed in the profile.
     */
    private static Storable storableForm(JsonObject payload) {
        JsonObject kept = payload.containsKey("apikey") ? JSON.createObjectBuilder(payload).remove("apikey").build() : payload;
        String text = kept.toString();
        if (!text.contains("\\u0000")) {
            return new Storable(kept, text);
        }
        JsonObject sanitised = copyToStore(payload);
        return new Storable(sanitised, sanitised.toString());
    }

    private static JsonObject copyToStore(JsonObject payload) {
        JsonObjectBuilder kept = JSON.createObjectBuilder();
        payload.forEach((field, value) -> {
            if (!field.equals("apikey")) {
                kept.add(sanitised(field), sanitised(value));
            }
        });
        return kept.build();
    }

    private static JsonValue sanitised(JsonValue value) {
        if (value instanceof JsonString text) {
            return text.getString().contains(NUL) ? JSON.createValue(sanitised(text.getString())) : text;
        }
        if (value instanceof JsonObject object) {
            JsonObjectBuilder copy = JSON.createObjectBuilder();
            object.forEach((field, member) -> copy.add(sanitised(field), sanitised(member)));
            return copy.build();
        }
        if (value instanceof JsonArray array) {
            JsonArrayBuilder copy = JSON.createArrayBuilder();
            array.forEach(item -> copy.add(sanitised(item)));
            return copy.build();
        }
        return value;
    }

    private static String sanitised(String text) {
        return text.replace(NUL, REPLACEMENT);
    }

    /**
     * A fixed-length key (a btree entry has a size limit, message ids do not): for message events the hash of
     * (instance, event, message id, status); for every other event the hash of (instance, event, Evolution's
     * {@code date_time}, data), so an identical retry collapses while the same state reported again later does not.
     */
    static String dedupKey(String instanceName, String event, JsonObject payload) {
        JsonObject data = payload.get("data") instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
        String messageId = MESSAGE_EVENTS.contains(event) ? messageId(data) : null;
        String identity = messageId != null
                ? String.join(NUL, instanceName, event, "message", messageId, String.valueOf(text(data, "status")))
                : String.join(NUL, instanceName, event, "at", String.valueOf(text(payload, "date_time")),
                        String.valueOf(payload.get("data")));
        return "sha256:" + sha256(identity);
    }

    /** {@code data.key.id} for upserts and sends, {@code data.keyId} for Baileys updates. */
    private static String messageId(JsonObject data) {
        if (data.get("key") instanceof JsonObject key && text(key, "id") != null) {
            return text(key, "id");
        }
        return text(data, "keyId") != null ? text(data, "keyId") : text(data, "id");
    }

    private static String text(JsonObject object, String field) {
        return object.get(field) instanceof JsonString text && !text.getString().isBlank() ? text.getString() : null;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
