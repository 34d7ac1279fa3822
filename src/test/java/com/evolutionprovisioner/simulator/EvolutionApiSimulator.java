package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in Evolution API server for tests and local runs. A real Evolution needs WhatsApp, Postgres and Redis, yet
 * the provisioner's client has to cope with three webhook body dialects, guard-order quirks and flaky servers; this
 * simulator reproduces the HTTP contract ({@code /work/shared/evolution-api-contract.md}, checked against the 2.3.6
 * source) in memory, lets tests inject faults, and sends webhook deliveries signed as the real server signs them.
 *
 * <p>Tests in the same JVM use the Java methods; scripts use the {@code /__admin/} endpoints (see {@link AdminApi}).
 * Everything else is the Evolution API, guarded by the {@code apikey} header.
 */
public final class EvolutionApiSimulator implements AutoCloseable {

    /** The webhook body dialect the simulated server speaks (see the contract page). */
    public enum ServerVersion { V1, V2_0, V2_1 }

    /**
     * One API call as received: raw path and query (query null when absent), and the status answered; 0 means no
     * answer (the connection was dropped, or the call is still held by latency or a hang).
     */
    public record RecordedCall(String method, String path, String query, int status, String requestBody) {
    }

    /** What our webhook receiver answered to a delivery. */
    public record DeliveryResult(int status, String body) {
    }

    private static final String ADMIN_PREFIX = "/__admin/";

    private final HttpServer server;
    private final ExecutorService executor;
    private final String baseUrl;
    private final SimulatedEvolution evolution;
    private final WebhookSender webhooks;
    private final Faults faults = new Faults();
    private final AdminApi admin = new AdminApi(this);
    private final List<Call> calls = new ArrayList<>(); // guarded by itself

    private EvolutionApiSimulator(HttpServer server, ExecutorService executor, String apiKey) {
        this.server = server;
        this.executor = executor;
        this.baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        this.evolution = new SimulatedEvolution(apiKey, baseUrl);
        this.webhooks = new WebhookSender(baseUrl);
    }

    /** Starts a simulator on 127.0.0.1:{@code port} (0 picks a free port) whose global key is {@code apiKey}. */
    public static EvolutionApiSimulator start(int port, String apiKey) {
        Objects.requireNonNull(apiKey, "apiKey");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        // Unbounded, so calls held by latency or a hang never starve other calls, nor the admin call that ends the hang.
        ExecutorService executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "evolution-simulator");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        EvolutionApiSimulator simulator = new EvolutionApiSimulator(server, executor, apiKey);
        server.createContext("/", simulator::handle);
        server.start();
        return simulator;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    /** Stops listening and drops open connections; calls held by a hang are released first. */
    @Override
    public void close() {
        faults.hang(false);
        server.stop(0);
        executor.shutdownNow();
    }

    public void setServerVersion(ServerVersion version) {
        evolution.setVersion(Objects.requireNonNull(version, "version"));
    }

    /** The next {@code count} API calls answer {@code status} with an Evolution-style error body. */
    public void failNext(int count, int status) {
        failNext(count, status, null);
    }

    /** Like {@link #failNext(int, int)}, counting only calls whose path starts with {@code pathPrefix} (null: all). */
    public void failNext(int count, int status, String pathPrefix) {
        faults.failNext(count, status, pathPrefix);
    }

    /** Delay added to every API call. */
    public void setLatencyMillis(long millis) {
        faults.setLatencyMillis(millis);
    }

    /** While on, API calls block until {@code hang(false)} or {@link #close()}. */
    public void hang(boolean on) {
        faults.hang(on);
    }

    /** While down, API calls have their connection closed without any response, as from a dead server. */
    public void setDown(boolean down) {
        faults.setDown(down);
    }

    /** Forgets instances, recorded calls and faults; the version goes back to V2_1. */
    public void reset() {
        faults.reset();
        evolution.reset();
        synchronized (calls) {
            calls.clear();
        }
    }

    /** An instance that already exists (a name conflict, or a legacy instance to adopt); no-op if it does. */
    public void preCreateInstance(String instanceName) {
        evolution.preCreate(Objects.requireNonNull(instanceName, "instanceName"));
    }

    /** Every API call received (admin calls excluded), in order of arrival. */
    public List<RecordedCall> calls() {
        synchronized (calls) {
            return calls.stream().map(Call::recorded).toList();
        }
    }

    /** How many {@code POST /instance/create} calls named {@code instanceName}, whatever their outcome. */
    public long createCallsFor(String instanceName) {
        return calls().stream()
                .filter(call -> call.method().equals("POST") && call.path().equals("/instance/create"))
                .filter(call -> instanceName.equals(instanceNameIn(call.requestBody())))
                .count();
    }

    /** The stored webhook row, in the shape {@code GET /webhook/find} answers, if there is one. */
    public Optional<JsonObject> webhookOf(String instanceName) {
        return evolution.webhookOf(instanceName);
    }

    public int instanceCount() {
        return evolution.instanceCount();
    }

    /** Simulates Evolution wiping an instance's webhook settings (reported after restarts): find answers null. */
    public void clearWebhook(String instanceName) {
        evolution.clearWebhook(instanceName);
    }

    /**
     * POSTs {@code event} (dotted lower case, e.g. {@code qrcode.updated}) with {@code data} to the instance's webhook
     * as the real server would. A {@code connection.update} with a {@code state} also moves the instance to that state.
     *
     * @throws IllegalStateException when Evolution would deliver nothing: unknown instance, no webhook, disabled, not
     *                               subscribed to the event, or a url that is not http(s)
     * @throws UncheckedIOException  when the receiver cannot be reached
     */
    public DeliveryResult deliver(String instanceName, String event, JsonObject data) {
        return webhooks.send(evolution.deliveryTarget(instanceName, event, data), event, data);
    }

    /** Runs a simulator until killed: {@code --port N} (default 8081), {@code --api-key K} (default $EVOLUTION_API_KEY or dev-evolution-key). */
    public static void main(String[] args) {
        int port = 8081;
        String apiKey = Objects.requireNonNullElse(System.getenv("EVOLUTION_API_KEY"), "dev-evolution-key");
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length || !(args[i].equals("--port") || args[i].equals("--api-key"))) {
                System.err.println("usage: EvolutionApiSimulator [--port N] [--api-key K]");
                System.exit(2);
            }
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else {
                apiKey = args[i + 1];
            }
        }
        EvolutionApiSimulator simulator = start(port, apiKey);
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close));
        System.out.println("Evolution API simulator listening on " + simulator.baseUrl() + " (apikey " + apiKey + ")");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
            URI uri = exchange.getRequestURI();
            if (uri.getPath().startsWith(ADMIN_PREFIX)) {
                send(exchange, admin.handle(exchange.getRequestMethod(), uri.getPath(), body));
            } else {
                handleApi(exchange, uri, body);
            }
        } catch (RuntimeException e) {
            // A simulator bug: answer it rather than leave the client guessing.
            send(exchange, new Reply(500, Json.createObjectBuilder().add("simulatorError", e.toString()).build()));
        } finally {
            exchange.close();
        }
    }

    private void handleApi(HttpExchange exchange, URI uri, String body) throws IOException {
        Call call = new Call(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), body);
        synchronized (calls) {
            calls.add(call);
        }
        if (faults.down()) {
            return; // closed without a response: the client sees the connection drop
        }
        try {
            faults.delay();
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
            return;
        }
        OptionalInt injected = faults.takeFailure(uri.getPath());
        Reply reply = injected.isPresent()
                ? Reply.error(injected.getAsInt(), "Injected", "injected fault")
                : evolution.handle(new SimulatedEvolution.Request(exchange.getRequestMethod(), uri,
                        exchange.getRequestHeaders().getFirst("apikey"),
                        exchange.getRequestHeaders().getFirst("Content-Type"), body));
        call.status = reply.status();
        send(exchange, reply);
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = reply.body().toString().getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String instanceNameIn(String body) {
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            return reader.readValue() instanceof JsonObject object ? object.getString("instanceName", null) : null;
        } catch (JsonException notJson) {
            return null;
        }
    }

    /** A received call whose status is filled in once answered. */
    private static final class Call {
        private final String method;
        private final String path;
        private final String query;
        private final String body;
        private volatile int status;

        Call(String method, String path, String query, String body) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.body = body;
        }

        RecordedCall recorded() {
            return new RecordedCall(method, path, query, status, body);
        }
    }
}
