package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A webhook receiver for the simulator's tests: records every request it gets, answers the statuses a test scripts
 * (then 200), and can hold requests until several have arrived, to prove they came in parallel.
 */
final class RecordingReceiver implements AutoCloseable {

    /** One request as received; {@code arrivedNanos} is System.nanoTime() on arrival. */
    record Received(String path, Headers headers, String body, long arrivedNanos) {

        String header(String name) {
            return headers.getFirst(name);
        }

        JsonObject json() {
            try (JsonReader reader = Json.createReader(new StringReader(body))) {
                return reader.readObject();
            }
        }

        String event() {
            return json().getString("event");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Queue<Integer> scripted = new ConcurrentLinkedQueue<>();
    private final Map<String, Queue<Integer>> scriptedPerEvent = new ConcurrentHashMap<>();
    private volatile CountDownLatch together = new CountDownLatch(0);
    private volatile Consumer<Received> observer = request -> { };

    private RecordingReceiver(HttpServer server) {
        this.server = server;
    }

    static RecordingReceiver start() {
        try {
            RecordingReceiver receiver = new RecordingReceiver(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
            receiver.server.setExecutor(receiver.executor);
            receiver.server.createContext("/", receiver::handle);
            receiver.server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next requests answer these statuses, in order; after them, 200. */
    void answer(Integer... statuses) {
        scripted.addAll(List.of(statuses));
    }

    /** The next deliveries of {@code event} answer these statuses, in order, ahead of {@link #answer}'s. */
    void answerFor(String event, Integer... statuses) {
        scriptedPerEvent.computeIfAbsent(event, e -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
    }

    /** Each request waits (up to 10 s) until {@code count} requests have arrived. */
    void holdUntil(int count) {
        together = new CountDownLatch(count);
    }

    /** Called on each request as it arrives, before it is answered. */
    void observe(Consumer<Received> observer) {
        this.observer = observer;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    List<Received> received(String event) {
        return received.stream().filter(request -> request.event().equals(event)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            Received request = new Received(exchange.getRequestURI().getPath(), exchange.getRequestHeaders(),
                    new String(exchange.getRequestBody().readAllBytes(), UTF_8), System.nanoTime());
            received.add(request);
            observer.accept(request);
            CountDownLatch gate = together;
            gate.countDown();
            gate.await(10, TimeUnit.SECONDS);
            Queue<Integer> forEvent = scriptedPerEvent.get(request.event());
            Integer status = forEvent != null && !forEvent.isEmpty() ? forEvent.poll() : scripted.poll();
            byte[] answer = ("answered " + (status == null ? 200 : status)).getBytes(UTF_8);
            exchange.sendResponseHeaders(status == null ? 200 : status, answer.length);
            exchange.getResponseBody().write(answer);
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }
}
