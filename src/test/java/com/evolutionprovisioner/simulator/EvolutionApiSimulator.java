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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in Evolution API server for tests and local runs. A real Evolution needs WhatsApp, Postgres and Redis, yet
 * the provisioner's client has to cope with three webhook body dialects, guard-order quirks, a licence gate, slow
 * removals and flaky servers; this simulator reproduces the HTTP contract ({@code /work/shared/evolution-api-contract.md},
 * checked against the source of the releases below) in memory, lets tests inject faults, drives the phone side (QR
 * codes, pairing), and sends webhook deliveries as each release sends them: signed, retried, with its clock's stamps.
 *
 * <p>Tests in the same JVM use the Java methods; scripts use the {@code /__admin/} endpoints (see {@link AdminApi}).
 * Everything else is the Evolution API, guarded by the {@code apikey} header.
 */
public final class EvolutionApiSimulator implements AutoCloseable {

    /**
     * The release the simulated server behaves as: its request bodies, its webhook deliveries and their retries, and
     * what {@code GET /} answers (the release in brackets).
     */
    public enum ServerVersion {
        /** 1.x (1.8.2): flat v1 bodies, v1 fetchInstances shape; deliveries without headers, one attempt. */
        V1("1.8.2"),
        /** 2.0 (2.0.10): flat 2.0 bodies; deliveries without headers, one attempt. */
        V2_0("2.0.10"),
        /** 2.1 and later bodies, behaving as 2.3 (2.3.6): jwt_key becomes a Bearer token; exponential retries. */
        V2_1("2.3.6"),
        /** 2.2 (2.2.3): V2_1's bodies, but the stored headers go out raw (jwt_key too); every failure retried each 30 s. */
        V2_2("2.2.3"),
        /** 2.4 (2.4.0-rc2, whose package.json says 2.4.0): V2_1 plus X-* headers, a licence gate, idempotent logout. */
        V2_4("2.4.0");

        private final String release;

        ServerVersion(String release) {
            this.release = release;
        }

        String release() {
            return release;
        }
    }

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
    private final SimulatedClock clock = new SimulatedClock();
    private final WebhookSender webhooks;
    private final EventDeliveries events;
    private final SimulatedEvolution evolution;
    private final Faults faults = new Faults();
    private final AdminApi admin = new AdminApi(this);
    private final List<Call> calls = new ArrayList<>(); // guarded by itself

    private EvolutionApiSimulator(HttpServer server, ExecutorService executor, String apiKey) {
        this.server = server;
        this.executor = executor;
        this.baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        this.webhooks = new WebhookSender(baseUrl, clock);
        this.events = new EventDeliveries(webhooks);
        this.evolution = new SimulatedEvolution(apiKey, baseUrl, events);
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

    /** Stops listening and drops open connections; calls held by a hang are released first, deliveries abandoned. */
    @Override
    public void close() {
        faults.hang(false);
        server.stop(0);
        executor.shutdownNow();
        events.close();
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

    /**
     * Forgets instances, recorded calls and faults, and abandons deliveries under way; the version goes back to V2_1,
     * the clock to UTC without skew, the licence gate off, the removal delay to 500 ms, the QR limit to 30, connect's
     * wait to 2 s, and Evolution's own deliveries to real time.
     */
    public void reset() {
        faults.reset();
        events.reset();
        evolution.reset();
        clock.reset();
        synchronized (calls) {
            calls.clear();
        }
    }

    /**
     * The server's clock: {@code timeZoneOffset} is its zone (Evolution writes {@code date_time} as local time with a
     * {@code Z} appended, so at -3 h it stamps 3 h behind UTC), {@code skew} how far its clock is off (shifting
     * {@code date_time}, the token's {@code iat} and {@code X-Timestamp}). {@link #reset()} sets both back to zero.
     */
    public void setClock(Duration timeZoneOffset, Duration skew) {
        clock.set(Objects.requireNonNull(timeZoneOffset, "timeZoneOffset"), Objects.requireNonNull(skew, "skew"));
    }

    /**
     * While required, every route except {@code /}, {@code /license/status|register|activate}, {@code /manager*} and
     * static assets answers 503 {@code LICENSE_REQUIRED}, before the instance and key checks (Evolution 2.4.0).
     */
    public void setLicenceRequired(boolean required) {
        evolution.setLicenceRequired(required);
    }

    /**
     * The least time between {@code DELETE /instance/delete} answering and the instance being gone (500 ms unless
     * set), so tests can observe the window; a {@code remove.instance} delivery with its retries can make it longer.
     */
    public void setRemovalDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("a removal delay cannot be negative: " + delay);
        }
        evolution.setRemovalDelay(delay);
    }

    /** QRCODE_LIMIT: how many QR codes a session shows before Evolution ends it (30 unless set). */
    public void setQrCodeLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the QR code limit must be at least 1, not " + limit);
        }
        evolution.setQrCodeLimit(limit);
    }

    /** How long {@code GET /instance/connect} on a closed instance waits for the first QR code (2 s unless set). */
    public void setConnectWait(Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("a wait cannot be negative: " + wait);
        }
        evolution.setConnectWait(wait);
    }

    /**
     * The pace of the deliveries Evolution makes by itself (connect's and {@link #refreshQr}'s QR codes, {@link #pair},
     * a delete's {@code instance.delete} and {@code remove.instance}); real time unless set.
     */
    public void setEventRetryPlan(RetryPlan plan) {
        events.setPlan(plan);
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

    /** The instance's connection state as connectionState reports it ({@code open}, {@code connecting}, {@code close}). */
    public Optional<String> stateOf(String instanceName) {
        return evolution.stateOf(instanceName);
    }

    /** Simulates Evolution wiping an instance's webhook settings (reported after restarts): find answers null. */
    public void clearWebhook(String instanceName) {
        evolution.clearWebhook(instanceName);
    }

    /**
     * The phone unlinked the instance and Evolution's connection.update was lost: connectionState answers
     * {@code close}, and no delivery is made.
     *
     * @throws IllegalStateException when the instance does not exist
     */
    public void dropSession(String instanceName) {
        evolution.dropSession(instanceName);
    }

    /**
     * Evolution lost the instance (deleted, or a restart without its database): its routes answer 404 from now on,
     * and no delivery is made.
     *
     * @throws IllegalStateException when the instance does not exist
     */
    public void forgetInstance(String instanceName) {
        evolution.forget(instanceName);
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
        return prepare(instanceName, event, data, Duration.ZERO).send();
    }

    /**
     * The delivery of {@code event} as Evolution prepares it once, before its retry loop, the event having been
     * emitted {@code startedAgo} ago; {@link PreparedDelivery#send()} posts it, as often as a test likes. A
     * {@code connection.update} with a {@code state} moves the instance to that state, as in {@link #deliver}.
     *
     * @throws IllegalStateException when Evolution would deliver nothing (see {@link #deliver})
     */
    public PreparedDelivery prepare(String instanceName, String event, JsonObject data, Duration startedAgo) {
        return webhooks.prepare(evolution.emission(instanceName, event, data), startedAgo);
    }

    /**
     * Delivers {@code event} with the server release's retries (see {@link ServerVersion}), at the pace and with the
     * losses of {@code plan}: prepared once, every attempt re-posts the identical body and token. Returns when the
     * receiver accepted it (2xx), answered a status the release never retries, or the last attempt failed.
     *
     * @throws IllegalStateException when Evolution would deliver nothing (see {@link #deliver})
     */
    public DeliveryAttempts deliverWithRetries(String instanceName, String event, JsonObject data, RetryPlan plan) {
        WebhookSender.Emission emission = evolution.emission(instanceName, event, data);
        PreparedDelivery delivery = webhooks.prepare(emission, plan.startedAgo());
        try {
            return WebhookSender.retry(delivery, RetrySchedule.of(emission.version()), plan);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delivering " + event + " to " + delivery.url(), e);
        }
    }

    /**
     * WhatsApp shows a connecting instance's session a new QR code: the count goes up and Evolution delivers
     * {@code qrcode.updated}. Past the QR limit the session ends instead: a {@code qrcode.updated} with
     * {@code {message, statusCode}} and a {@code connection.update} with state {@code refused} are delivered, and the
     * instance is {@code close} again with its count at 0 (what Evolution's no.connection handler does). Returns the
     * deliveries (none when the webhook does not take the event), made in parallel with the event retry plan.
     *
     * @throws IllegalStateException when the instance does not exist or is not connecting
     */
    public List<DeliveryAttempts> refreshQr(String instanceName) {
        return events.deliverAll(evolution.refreshQr(instanceName));
    }

    /**
     * The phone links the connecting instance as {@code wuid} ({@code <digits>@s.whatsapp.net}): the instance is
     * {@code open} and Evolution delivers {@code connection.update} with the wuid. Returns the delivery, if made.
     *
     * @throws IllegalStateException when the instance does not exist or is not connecting
     */
    public List<DeliveryAttempts> pair(String instanceName, String wuid) {
        return events.deliverAll(evolution.pair(instanceName, wuid));
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
                        exchange.getRequestHeaders().getFirst("Content-Type"), body,
                        exchange.getRequestHeaders().getFirst("Host"),
                        exchange.getRequestHeaders().getFirst("X-Forwarded-Proto")));
        try {
            TimeUnit.NANOSECONDS.sleep(reply.holdFor().toNanos());
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
            return;
        }
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
