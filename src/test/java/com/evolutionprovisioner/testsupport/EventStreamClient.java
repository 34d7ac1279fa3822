package com.evolutionprovisioner.testsupport;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client as plain as a browser's: reads the stream line by line on a thread of its own and
 * parses it into events and comments; every wait has a time-out, so a test cannot hang on a silent stream.
 */
public final class EventStreamClient implements AutoCloseable {

    /** HTTP/1.1, as a browser's EventSource speaks to an http:// URL. */
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** What the stream carried: an event ({@code id}, {@code type}, {@code data}) or a comment (type null). */
    public record Item(String id, String type, String data, String comment) {
        public boolean isComment() {
            return comment != null;
        }

        public JsonObject json() {
            try (var reader = Json.createReader(new StringReader(data))) {
                return reader.readObject();
            }
        }
    }

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final String errorBody;

    private EventStreamClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        if (response.statusCode() != 200) {
            errorBody = response.body().collect(Collectors.joining("\n"));
            return;
        }
        errorBody = null;
        Thread reader = new Thread(this::read, "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the stream; returns once the answer's headers are in (at most 15 s). */
    public static EventStreamClient open(HttpRequest.Builder request) throws Exception {
        return new EventStreamClient(CLIENT.sendAsync(request.header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines()).get(15, TimeUnit.SECONDS));
    }

    public int status() {
        return response.statusCode();
    }

    public String contentType() {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    /** The body of an answer other than 200. */
    public JsonObject errorJson() {
        try (var reader = Json.createReader(new StringReader(errorBody))) {
            return reader.readObject();
        }
    }

    /** The next event or comment, or null when none came within {@code timeout}. */
    public Item next(Duration timeout) throws InterruptedException {
        return items.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next {@code count} events, comments skipped; fails when they do not all come within {@code timeout}. */
    public List<Item> events(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Item> events = new ArrayList<>();
        while (events.size() < count) {
            Item item = items.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (item == null) {
                throw new AssertionError("only " + events.size() + " of " + count + " events within " + timeout + ": " + events);
            }
            if (!item.isComment()) {
                events.add(item);
            }
        }
        return events;
    }

    private void read() {
        String id = null;
        String type = null;
        StringBuilder data = null;
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (data != null) {
                        items.add(new Item(id, type == null ? "message" : type, data.toString(), null));
                    }
                    id = null;
                    type = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    items.add(new Item(null, null, null, line.substring(1).trim()));
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> type = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> { } // retry and unknown fields: not used here
                    }
                }
            }
        } catch (RuntimeException closed) {
            // the test closed the stream, or the server went away
        }
    }

    @Override
    public void close() {
        if (errorBody == null) {
            response.body().close();
        }
    }
}
