package com.evolutionprovisioner.simulator;

import static jakarta.json.JsonValue.ValueType.FALSE;
import static jakarta.json.JsonValue.ValueType.TRUE;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
import com.evolutionprovisioner.simulator.SimulatedInstance.WebhookRow;
import com.evolutionprovisioner.simulator.WebhookSender.Emission;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.URLDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Evolution API itself, in memory: its routes, the licence gate and the guards in their real order (gate, instance
 * exists, name in use, then apikey), request validation per {@link ServerVersion}, the instances with their webhook
 * rows and WhatsApp sessions, and the deliveries Evolution makes by itself (QR codes, removal). Bodies, messages and
 * quirks follow the contract page, checked against the source; where the contract is unsure about older releases the
 * simulator is deliberately strict, so a client that gets by here gets by there. All methods are synchronized:
 * requests are quick, and the slow parts (latency, hangs, connect's wait, deliveries) happen outside the lock.
 */
final class SimulatedEvolution {

    /** One API request as Evolution's router sees it. */
    record Request(String method, URI uri, String apiKey, String contentType, String body, String host,
            String forwardedProto) {

        String path() {
            return uri.getPath();
        }

        /** Express's req.url, as quoted in "Cannot GET …". */
        String url() {
            return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
        }

        /** A query parameter, or null; Evolution treats an empty one as absent. */
        String queryParam(String name) {
            String query = uri.getRawQuery();
            if (query == null) {
                return null;
            }
            for (String pair : query.split("&")) {
                String[] parts = pair.split("=", 2);
                if (URLDecoder.decode(parts[0], UTF_8).equals(name) && parts.length == 2 && !parts[1].isEmpty()) {
                    return URLDecoder.decode(parts[1], UTF_8);
                }
            }
            return null;
        }
    }

    /** Where the deliveries Evolution makes on its own go; the simulator runs them off the request thread. */
    interface Emitter {

        /** Delivers with the release's retries, not awaited: Evolution calls sendDataWebhook without await. */
        void fire(Emission emission);

        /**
         * Runs {@code then} once {@code emission} (null: none) has been delivered with its retries and at least
         * {@code minimum} has passed.
         */
        void afterDelivery(Emission emission, Duration minimum, Runnable then);
    }

    /** EventController.events of 2.3 (and the 2.0 and v1 shapes): what webhook/set accepts. */
    static final List<String> EVENTS = List.of(
            "APPLICATION_STARTUP", "QRCODE_UPDATED", "MESSAGES_SET", "MESSAGES_UPSERT", "MESSAGES_EDITED",
            "MESSAGES_UPDATE", "MESSAGES_DELETE", "SEND_MESSAGE", "SEND_MESSAGE_UPDATE", "CONTACTS_SET",
            "CONTACTS_UPSERT", "CONTACTS_UPDATE", "PRESENCE_UPDATE", "CHATS_SET", "CHATS_UPSERT", "CHATS_UPDATE",
            "CHATS_DELETE", "GROUPS_UPSERT", "GROUP_UPDATE", "GROUP_PARTICIPANTS_UPDATE", "CONNECTION_UPDATE",
            "LABELS_EDIT", "LABELS_ASSOCIATION", "CALL", "TYPEBOT_START", "TYPEBOT_CHANGE_STATUS",
            "REMOVE_INSTANCE", "LOGOUT_INSTANCE", "INSTANCE_CREATE", "INSTANCE_DELETE", "STATUS_INSTANCE");
    /** 2.2.3 knew neither SEND_MESSAGE_UPDATE nor the three instance events 2.3.0 added. */
    private static final List<String> EVENTS_2_2 = EVENTS.stream()
            .filter(event -> !Set.of("SEND_MESSAGE_UPDATE", "INSTANCE_CREATE", "INSTANCE_DELETE", "STATUS_INSTANCE").contains(event))
            .toList();
    /** 2.4.0 adds MESSAGING_HISTORY_SET, before REMOVE_INSTANCE. */
    private static final List<String> EVENTS_2_4 = Stream.of(EVENTS.subList(0, 26), List.of("MESSAGING_HISTORY_SET"),
            EVENTS.subList(26, EVENTS.size())).flatMap(List::stream).toList();

    static final Duration DEFAULT_REMOVAL_DELAY = Duration.ofMillis(500);
    /** QRCODE_LIMIT's default. */
    static final int DEFAULT_QR_CODE_LIMIT = 30;
    /** connectToWhatsapp waits this long for the first QR code before it answers. */
    static final Duration DEFAULT_CONNECT_WAIT = Duration.ofSeconds(2);

    private static final String BAILEYS = "WHATSAPP-BAILEYS";
    private static final String BUSINESS = "WHATSAPP-BUSINESS";
    private static final Set<String> INTEGRATIONS = Set.of(BAILEYS, BUSINESS, "EVOLUTION");
    private static final String CLIENT_NAME = "evolution_exchange";
    private static final Pattern NUMBER = Pattern.compile("^\\d+[\\.@\\w-]+");
    private static final Pattern WUID = Pattern.compile("^\\d+@s\\.whatsapp\\.net$");
    /**
     * Simulator-only and stricter than Evolution, which stores any name: names outside this set give lasting 404s
     * later (the contract says to generate canonical ones), so a client producing them should fail its tests.
     */
    private static final Pattern INSTANCE_NAME = Pattern.compile("^[A-Za-z0-9._-]+$");
    private static final Pattern NAMED_ROUTE = Pattern.compile("^/((?:instance|webhook)/[A-Za-z]+)/([^/]+)$");
    private static final Set<String> ENABLED_AND_URL = Set.of("enabled", "url");
    /** What Node says when webhook.set() reads events.length of a body that has no events. */
    private static final String MISSING_EVENTS_CRASH = "Cannot read properties of undefined (reading 'length')";
    /** Baileys' DisconnectReason values Evolution reports at the QR limit. */
    private static final int BAD_SESSION = 500;
    private static final int CONNECTION_CLOSED = 428;

    /** A route on /{instanceName}. */
    private interface Action {
        Reply apply(SimulatedInstance instance, Request request, JsonObject body);
    }

    private final String apiKey;
    private final String serverUrl;
    private final Emitter emitter;
    private final LicenceGate licence = new LicenceGate();
    private final Map<String, SimulatedInstance> instances = new LinkedHashMap<>();
    private final Map<String, Action> namedRoutes = Map.of(
            "GET /instance/connectionState", (instance, request, body) -> connectionState(instance),
            "GET /instance/connect", (instance, request, body) -> connect(instance, request),
            "POST /instance/restart", (instance, request, body) -> restart(instance, request),
            "DELETE /instance/logout", (instance, request, body) -> logout(instance),
            "DELETE /instance/delete", (instance, request, body) -> delete(instance),
            "POST /webhook/set", (instance, request, body) -> setWebhook(instance, body),
            "GET /webhook/find", (instance, request, body) -> findWebhook(instance));
    private ServerVersion version = ServerVersion.V2_1;
    private Duration removalDelay = DEFAULT_REMOVAL_DELAY;
    private int qrCodeLimit = DEFAULT_QR_CODE_LIMIT;
    private Duration connectWait = DEFAULT_CONNECT_WAIT;

    SimulatedEvolution(String apiKey, String serverUrl, Emitter emitter) {
        this.apiKey = apiKey;
        this.serverUrl = serverUrl;
        this.emitter = emitter;
    }

    synchronized Reply handle(Request request) {
        try {
            return route(request, parseBody(request));
        } catch (Reply.Rejection rejection) {
            return rejection.reply();
        }
    }

    synchronized void setVersion(ServerVersion version) {
        this.version = version;
    }

    void setLicenceRequired(boolean required) {
        licence.setRequired(required);
    }

    synchronized void setRemovalDelay(Duration delay) {
        removalDelay = delay;
    }

    synchronized void setQrCodeLimit(int limit) {
        qrCodeLimit = limit;
    }

    synchronized void setConnectWait(Duration wait) {
        connectWait = wait;
    }

    synchronized void reset() {
        instances.clear();
        version = ServerVersion.V2_1;
        licence.setRequired(false);
        removalDelay = DEFAULT_REMOVAL_DELAY;
        qrCodeLimit = DEFAULT_QR_CODE_LIMIT;
        connectWait = DEFAULT_CONNECT_WAIT;
    }

    /** An instance that exists before the test starts (a name conflict, or a legacy instance to adopt). */
    synchronized void preCreate(String name) {
        instances.computeIfAbsent(name, n -> new SimulatedInstance(n, BAILEYS, newToken(), null,
                settingsOf(JsonValue.EMPTY_JSON_OBJECT)));
    }

    synchronized int instanceCount() {
        return instances.size();
    }

    synchronized Optional<String> stateOf(String instanceName) {
        return Optional.ofNullable(instances.get(instanceName)).map(instance -> instance.state);
    }

    synchronized Optional<JsonObject> webhookOf(String instanceName) {
        SimulatedInstance instance = instances.get(instanceName);
        return instance == null || instance.webhook == null
                ? Optional.empty()
                : Optional.of(instance.webhook.toJson(instance.id));
    }

    /** Evolution wiping a webhook row, as users report after restarts: find answers null afterwards. */
    synchronized void clearWebhook(String instanceName) {
        SimulatedInstance instance = instances.get(instanceName);
        if (instance != null) {
            instance.webhook = null;
        }
    }

    /**
     * WhatsApp ended the instance's session (the phone unlinked it) and the connection.update Evolution delivered
     * never arrived: the instance is close, and nothing tells the receiver.
     *
     * @throws IllegalStateException for an unknown instance
     */
    synchronized void dropSession(String instanceName) {
        existing(instanceName).logout();
    }

    /**
     * Evolution lost the instance (deleted behind our back, or a restart without its database): every route on it
     * answers 404 from now on, and no delivery says so.
     *
     * @throws IllegalStateException for an unknown instance
     */
    synchronized void forget(String instanceName) {
        instances.remove(existing(instanceName).name);
    }

    /**
     * A test's own event for the instance's webhook; a connection.update also moves the instance to the state it
     * reports, so connectionState agrees with the event.
     *
     * @throws IllegalStateException for an unknown instance or one without a webhook
     */
    synchronized Emission emission(String instanceName, String event, JsonObject data) {
        SimulatedInstance instance = existing(instanceName);
        if (event.equals("connection.update") && data.get("state") instanceof JsonString state) {
            instance.state = state.getString();
            if (data.get("wuid") instanceof JsonString wuid) {
                instance.ownerJid = wuid.getString();
            }
        }
        WebhookSender.Target target = instance.target();
        if (target == null) {
            throw new IllegalStateException("instance \"" + instanceName + "\" has no webhook configured");
        }
        return new Emission(target, event, data, version);
    }

    /**
     * WhatsApp shows the running session a new QR code; the deliveries Evolution makes for it are returned, not sent.
     * Past the QR limit the session ends instead (see {@link SimulatedInstance#nextQr(int)}).
     *
     * @throws IllegalStateException for an unknown instance or one that is not showing QR codes (not connecting)
     */
    synchronized List<Emission> refreshQr(String instanceName) {
        SimulatedInstance instance = connecting(instanceName);
        return qrEmissions(instance, instance.nextQr(qrCodeLimit));
    }

    /**
     * The phone links the device: the instance is open, paired with {@code wuid}; the connection.update Evolution
     * delivers for it is returned, not sent.
     *
     * @throws IllegalStateException    for an unknown instance or one that is not showing QR codes (not connecting)
     * @throws IllegalArgumentException for a wuid that is not a WhatsApp user JID ({@code <digits>@s.whatsapp.net})
     */
    synchronized List<Emission> pair(String instanceName, String wuid) {
        if (wuid == null || !WUID.matcher(wuid).matches()) {
            throw new IllegalArgumentException("a wuid looks like 5511999999999@s.whatsapp.net, not " + wuid);
        }
        SimulatedInstance instance = connecting(instanceName);
        instance.pair(wuid);
        // whatsapp.baileys.service.ts connectionUpdate, connection open; the profile name is left undefined
        JsonObject data = Json.createObjectBuilder()
                .add("instance", instance.name)
                .add("wuid", wuid)
                .addNull("profilePictureUrl")
                .add("state", "open")
                .add("statusReason", 200)
                .build();
        return deliverable(instance, "connection.update", data).stream().toList();
    }

    /** The end of a delete: the instance (this very one, not a later one of the same name) is gone. */
    synchronized void completeRemoval(SimulatedInstance instance) {
        instances.remove(instance.name, instance);
    }

    private SimulatedInstance existing(String instanceName) {
        SimulatedInstance instance = instances.get(instanceName);
        if (instance == null) {
            throw new IllegalStateException("no instance \"" + instanceName + "\"");
        }
        return instance;
    }

    private SimulatedInstance connecting(String instanceName) {
        SimulatedInstance instance = existing(instanceName);
        if (!instance.state.equals("connecting")) {
            throw new IllegalStateException("instance \"" + instanceName + "\" is " + instance.state
                    + ", not connecting: no QR code session is running (connect starts one)");
        }
        return instance;
    }

    /** The delivery Evolution would attempt for {@code event}, if the instance's webhook takes it. */
    private Optional<Emission> deliverable(SimulatedInstance instance, String event, JsonValue data) {
        WebhookSender.Target target = instance.target();
        return target == null || target.refusal(event) != null
                ? Optional.empty()
                : Optional.of(new Emission(target, event, data, version));
    }

    /**
     * What Baileys' connectionUpdate delivers for a QR code: qrcode.updated with the code, or at the limit a
     * qrcode.updated with {message, statusCode} and a connection.update "refused", neither awaited.
     */
    private List<Emission> qrEmissions(SimulatedInstance instance, boolean shown) {
        List<Emission> emissions = new ArrayList<>();
        if (shown) {
            JsonObject qr = instance.qrCode();
            deliverable(instance, "qrcode.updated", Json.createObjectBuilder()
                    .add("qrcode", Json.createObjectBuilder()
                            .add("instance", instance.name)
                            .add("pairingCode", qr.get("pairingCode"))
                            .add("code", qr.get("code"))
                            .add("base64", qr.get("base64")))
                    .build()).ifPresent(emissions::add);
            return emissions;
        }
        deliverable(instance, "qrcode.updated", Json.createObjectBuilder()
                .add("message", "QR code limit reached, please login again")
                .add("statusCode", BAD_SESSION)
                .build()).ifPresent(emissions::add);
        JsonObjectBuilder refused = Json.createObjectBuilder()
                .add("instance", instance.name)
                .add("state", "refused")
                .add("statusReason", CONNECTION_CLOSED);
        if (instance.ownerJid != null) {
            refused.add("wuid", instance.ownerJid);
        }
        deliverable(instance, "connection.update", refused.build()).ifPresent(emissions::add);
        return emissions;
    }

    private Reply route(Request request, JsonObject body) {
        Reply unlicensed = licence.check(request);
        if (unlicensed != null) {
            return unlicensed;
        }
        String method = request.method();
        String path = request.path();
        if (method.equals("GET") && path.equals("/")) {
            return welcome();
        }
        if (method.equals("POST") && path.equals("/instance/create")) {
            return create(request, body);
        }
        if (method.equals("GET") && path.equals("/instance/fetchInstances")) {
            return version == ServerVersion.V1 ? fetchInstancesV1(request) : fetchInstances(request);
        }
        Matcher named = NAMED_ROUTE.matcher(path);
        Action action = named.matches() ? namedRoutes.get(method + " /" + named.group(1)) : null;
        if (action == null) {
            return Reply.error(404, "Not Found", "Cannot " + method + " " + request.url());
        }
        String name = named.group(2);
        SimulatedInstance instance = instances.get(name);
        // instanceExistsGuard runs before the key check: an unknown name is a 404 even with a wrong key.
        if (instance == null) {
            return Reply.error(404, "Not Found", "The \"" + name + "\" instance does not exist");
        }
        if (!authorized(request, instance)) {
            return unauthorized();
        }
        return action.apply(instance, request, body);
    }

    /** express.json(): only application/json bodies are parsed; any other body is left as {}. */
    private static JsonObject parseBody(Request request) {
        String type = request.contentType() == null ? "" : request.contentType().split(";")[0].trim();
        if (!type.equalsIgnoreCase("application/json") || request.body().isBlank()) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        String problem;
        try (JsonReader reader = Json.createReader(new StringReader(request.body()))) {
            if (reader.readValue() instanceof JsonObject object) {
                return object;
            }
            // Express would pass an array on; no Evolution route can use one, so it is refused like bad JSON.
            problem = "The request body must be a JSON object";
        } catch (JsonException e) {
            problem = e.getMessage();
        }
        // body-parser's error has a status but no "error" field, so Evolution's error handler labels it this way (sic).
        throw new Reply.Rejection(Reply.error(400, "Internal Server Error", Json.createValue(problem)));
    }

    /** authGuard.apikey: the global key, or the instance's own token on the routes that name it. */
    private boolean authorized(Request request, SimulatedInstance instance) {
        String key = request.apiKey();
        if (key == null || key.isEmpty()) {
            return false;
        }
        return key.equals(apiKey) || (instance != null && key.equals(instance.token));
    }

    private static Reply unauthorized() {
        return Reply.error(401, "Unauthorized", Json.createValue("Unauthorized"));
    }

    private static Reply badRequest(String message) {
        return Reply.error(400, "Bad Request", message);
    }

    private Reply welcome() {
        JsonObjectBuilder welcome = Json.createObjectBuilder()
                .add("status", 200)
                .add("message", "Welcome to the Evolution API, it is working!")
                .add("version", version.release())
                .add("clientName", CLIENT_NAME)
                .add("manager", serverUrl + "/manager")
                .add("documentation", "https://doc.evolution-api.com");
        if (version == ServerVersion.V2_1 || version == ServerVersion.V2_4) {
            welcome.add("whatsappWebVersion", "2.3000.1023223821");
        }
        return new Reply(200, welcome.build());
    }

    /** The event names webhook/set accepts on this release. */
    private List<String> events() {
        return switch (version) {
            case V2_2 -> EVENTS_2_2;
            case V2_4 -> EVENTS_2_4;
            case V1, V2_0, V2_1 -> EVENTS;
        };
    }

    /** instance.schema.ts checks a create body's flat webhookEvents against a shorter list: up to REMOVE_INSTANCE. */
    private List<String> createSchemaEvents() {
        return events().subList(0, events().indexOf("REMOVE_INSTANCE"));
    }

    private boolean nestedBodies() {
        return version != ServerVersion.V1 && version != ServerVersion.V2_0;
    }

    // ---- POST /instance/create ----

    private Reply create(Request request, JsonObject body) {
        JsonValue nameValue = body.get("instanceName");
        // instanceLoggedGuard runs before the key check. Without an instanceName it looks up name = undefined, which
        // Prisma reads as "no filter": once any instance exists, the name "undefined" is "already in use".
        boolean inUse = nameValue == null
                ? !instances.isEmpty()
                : nameValue instanceof JsonString given && instances.containsKey(given.getString());
        if (inUse) {
            String shown = nameValue == null ? "undefined" : ((JsonString) nameValue).getString();
            return Reply.error(403, "Forbidden", "This name \"" + shown + "\" is already in use.");
        }
        if (!authorized(request, null)) {
            return unauthorized();
        }
        createSchema(body).orReject();
        String integration = body.getString("integration", "");
        String token = body.getString("token", "");
        // channelController.init() asks for the token first; the schema's "Integration" key is misspelt, so this
        // controller check is the only one on the integration.
        if (integration.equals(BUSINESS) && token.isEmpty()) {
            return badRequest("token is required");
        }
        if (!INTEGRATIONS.contains(integration)) {
            return badRequest("Invalid integration");
        }
        // 2.4.0 trims the name after the guard has looked up the untrimmed one.
        String name = checkedName(version == ServerVersion.V2_4 && nameValue instanceof JsonString given
                ? Json.createValue(given.getString().trim()) : nameValue);
        if (instances.containsKey(name)) {
            return badRequest("Unique constraint failed on the fields: (`name`)");
        }
        String number = body.getString("number", "");
        SimulatedInstance instance = new SimulatedInstance(name, integration, token.isEmpty() ? newToken() : token,
                number.isEmpty() ? null : number, settingsOf(body));
        WebhookSettings webhook = createWebhook(body);
        if (webhook != null) {
            try {
                upsertWebhook(instance, webhook);
            } catch (TypeErrorCrash crash) {
                // createInstance's catch deletes the half-made instance and answers 400 with the error's text.
                return badRequest(crash.getMessage());
            }
        }
        if (integration.equals(BUSINESS) && instance.number == null) {
            return badRequest("number is required");
        }
        // create only connects at once (and returns a QR code) when asked to, and only for Baileys
        boolean connecting = body.getBoolean("qrcode", false) && integration.equals(BAILEYS);
        if (connecting) {
            instance.startSession(instance.number, qrCodeLimit);
        }
        instances.put(name, instance);
        return new Reply(201, createResponse(instance, webhook, connecting));
    }

    private SchemaCheck createSchema(JsonObject body) {
        SchemaCheck check = SchemaCheck.of(body)
                .string("instanceName", "token").pattern("number", NUMBER).string("businessId").bool("qrcode")
                .bool("rejectCall").string("msgCall")
                .bool("groupsIgnore", "alwaysOnline", "readMessages", "readStatus", "syncFullHistory")
                .string("wavoipToken");
        return switch (version) {
            // 2.1 and later still validate the flat 2.0 webhook fields, then ignore them.
            case V2_1, V2_2, V2_4 -> check.string("webhookUrl").bool("webhookByEvents", "webhookBase64")
                    .events("webhookEvents", createSchemaEvents());
            // Assumed: 2.0 kept v1's string "webhook", so the 2.1 nested object fails its schema.
            case V2_0 -> check.string("webhookUrl").bool("webhookByEvents", "webhookBase64")
                    .events("webhookEvents", createSchemaEvents()).string("webhook");
            case V1 -> check.string("webhook").bool("webhook_by_events").events("events", events());
        };
    }

    /** The instance name, held to the simulator's canonical-name rule (see {@link #INSTANCE_NAME}). */
    private static String checkedName(JsonValue value) {
        if (!(value instanceof JsonString string)) {
            // Evolution also fails here, later and in Prisma's words.
            throw new Reply.Rejection(badRequest("instanceName is required"));
        }
        String name = string.getString();
        if (name.isEmpty()) {
            throw new Reply.Rejection(badRequest("The \"instanceName\" cannot be empty"));
        }
        if (!INSTANCE_NAME.matcher(name).matches()) {
            throw new Reply.Rejection(badRequest("instanceName \"" + name + "\" must match " + INSTANCE_NAME.pattern()
                    + " (simulator rule: Evolution accepts it, but such names give lasting 404s later)"));
        }
        return name;
    }

    /** The webhook a create body configures, per version, or null when it configures none. */
    private WebhookSettings createWebhook(JsonObject body) {
        return switch (version) {
            case V2_1, V2_2, V2_4 -> nestedCreateWebhook(body.get("webhook"));
            case V2_0 -> flatCreateWebhook(body, "webhookUrl", "webhookByEvents", "webhookBase64", "webhookEvents");
            case V1 -> flatCreateWebhook(body, "webhook", "webhook_by_events", null, "events");
        };
    }

    private WebhookSettings nestedCreateWebhook(JsonValue value) {
        // eventManager.setInstance(): `if (data.webhook)`, JavaScript truthiness
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL || value == JsonValue.FALSE
                || (value instanceof JsonString s && s.getString().isEmpty())) {
            return null;
        }
        // Not in the 2.1 schema, so anything truthy reaches webhook.set(); a non-object has no events and crashes there.
        JsonObject webhook = value instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
        // Simulator-only strictness: Evolution stores these unchecked (or fails in Prisma); refusing them here catches
        // client typos such as misspelt event names, which would otherwise silently never be delivered.
        SchemaCheck strict = SchemaCheck.of(JsonValue.EMPTY_JSON_OBJECT).nested("webhook", webhook)
                .string("url").object("headers").bool("byEvents", "base64").events("events", events());
        if (webhook.containsKey("events")) {
            strict.required("url"); // without events, Evolution crashes before it looks at the url
        }
        strict.orReject();
        return settings(webhook, true, "url", "byEvents", "base64", "events", true);
    }

    private static WebhookSettings flatCreateWebhook(JsonObject body, String urlField, String byEventsField,
            String base64Field, String eventsField) {
        if (body.getString(urlField, "").isEmpty()) {
            return null;
        }
        return settings(body, true, urlField, byEventsField, base64Field, eventsField, false);
    }

    private JsonObject createResponse(SimulatedInstance instance, WebhookSettings webhook, boolean withQrCode) {
        // Evolution echoes the body's webhook fields; undefined ones vanish from its JSON.
        JsonObjectBuilder echo = Json.createObjectBuilder();
        if (webhook != null) {
            echo.add("webhookUrl", webhook.url());
            if (webhook.headers() != null) {
                echo.add("webhookHeaders", webhook.headers());
            }
            if (webhook.byEvents() != null) {
                echo.add("webhookByEvents", webhook.byEvents());
            }
            if (webhook.base64() != null) {
                echo.add("webhookBase64", webhook.base64());
            }
        }
        JsonValue hash = version == ServerVersion.V1
                ? Json.createObjectBuilder().add("apikey", instance.token).build()
                : Json.createValue(instance.token);
        JsonObjectBuilder response = Json.createObjectBuilder()
                .add("instance", Json.createObjectBuilder()
                        .add("instanceName", instance.name)
                        .add("instanceId", instance.id)
                        .add("integration", instance.integration)
                        .add("webhookWaBusiness", instance.integration.equals(BUSINESS)
                                ? Json.createValue(serverUrl + "/webhook/meta") : JsonValue.NULL)
                        .add("accessTokenWaBusiness", "")
                        .add("status", instance.state))
                .add("hash", hash)
                .add("webhook", echo)
                .add("websocket", JsonValue.EMPTY_JSON_OBJECT)
                .add("rabbitmq", JsonValue.EMPTY_JSON_OBJECT);
        if (version != ServerVersion.V2_2) {
            response.add("nats", JsonValue.EMPTY_JSON_OBJECT); // since 2.3.0
        }
        response.add("sqs", JsonValue.EMPTY_JSON_OBJECT)
                .add("settings", instance.settings);
        if (withQrCode) {
            response.add("qrcode", instance.qrCode());
        }
        return response.build();
    }

    private static JsonObject settingsOf(JsonObject body) {
        return Json.createObjectBuilder()
                .add("rejectCall", body.getBoolean("rejectCall", false))
                .add("msgCall", body.getString("msgCall", ""))
                .add("groupsIgnore", body.getBoolean("groupsIgnore", false))
                .add("alwaysOnline", body.getBoolean("alwaysOnline", false))
                .add("readMessages", body.getBoolean("readMessages", false))
                .add("readStatus", body.getBoolean("readStatus", false))
                .add("syncFullHistory", body.getBoolean("syncFullHistory", false))
                .add("wavoipToken", body.getString("wavoipToken", ""))
                .build();
    }

    // ---- GET /instance/fetchInstances ----

    private Reply fetchInstances(Request request) {
        String key = request.apiKey();
        String name = request.queryParam("instanceName");
        String id = request.queryParam("instanceId");
        if (key == null || key.isEmpty()) {
            return unauthorized();
        }
        if (!key.equals(apiKey)) {
            // an instance's own token lists that instance only
            List<SimulatedInstance> own = instances.values().stream()
                    .filter(i -> key.equals(i.token) && (name == null || name.equals(i.name)) && (id == null || id.equals(i.id)))
                    .toList();
            return own.isEmpty() ? unauthorized() : instanceList(own);
        }
        if (id != null) {
            return instances.values().stream().filter(i -> i.id.equals(id)).findFirst()
                    .map(i -> instanceList(List.of(i)))
                    .orElseGet(() -> Reply.error(404, "Not Found", "Instance \"" + id + "\" not found"));
        }
        if (name != null) {
            // waMonitor.instanceInfo(): an unknown name is a 404, not an empty list
            SimulatedInstance instance = instances.get(name);
            return instance == null
                    ? Reply.error(404, "Not Found", "Instance \"" + name + "\" not found")
                    : instanceList(List.of(instance));
        }
        return instanceList(List.copyOf(instances.values()));
    }

    private static Reply instanceList(List<SimulatedInstance> list) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        list.forEach(instance -> array.add(instance.toFetchJson()));
        return new Reply(200, array.build());
    }

    /**
     * 1.8.2's fetchInstances: an instance's own token lists [that instance] whatever the query; the global key with a
     * name or id answers that one instance as an object, not in an array; without either, an array of all.
     */
    private Reply fetchInstancesV1(Request request) {
        String key = request.apiKey();
        if (key == null || key.isEmpty()) {
            return unauthorized();
        }
        if (!key.equals(apiKey)) {
            return instances.values().stream().filter(i -> key.equals(i.token)).findFirst()
                    .map(own -> new Reply(200, Json.createArrayBuilder().add(own.toV1FetchJson(serverUrl)).build()))
                    .orElseGet(SimulatedEvolution::unauthorized);
        }
        String name = request.queryParam("instanceName");
        String id = request.queryParam("instanceId");
        if (name != null || id != null) {
            String wanted = name != null ? name : id;
            return instances.values().stream()
                    .filter(i -> name != null ? i.name.equals(name) : i.id.equals(id))
                    .findFirst()
                    .map(instance -> new Reply(200, instance.toV1FetchJson(serverUrl)))
                    .orElseGet(() -> Reply.error(404, "Not Found", "Instance \"" + wanted + "\" not found"));
        }
        JsonArrayBuilder all = Json.createArrayBuilder();
        instances.values().forEach(instance -> all.add(instance.toV1FetchJson(serverUrl)));
        return new Reply(200, all.build());
    }

    // ---- routes on /{instanceName} ----

    private static Reply connectionState(SimulatedInstance instance) {
        return new Reply(200, Json.createObjectBuilder()
                .add("instance", Json.createObjectBuilder().add("instanceName", instance.name).add("state", instance.state))
                .build());
    }

    /**
     * instance.controller.ts connectToWhatsapp: open answers the connection state; connecting the QR code being shown;
     * close starts a session (with ?number= each QR code also gets a pairing code; Evolution checks no number, Baileys
     * takes any) and answers its first QR code after a 2 s wait.
     */
    private Reply connect(SimulatedInstance instance, Request request) {
        switch (instance.state) {
            case "open":
                return connectionState(instance);
            case "connecting":
                return new Reply(200, instance.qrCode());
            case "close":
                boolean shown = instance.startSession(request.queryParam("number"), qrCodeLimit);
                qrEmissions(instance, shown).forEach(emitter::fire);
                return new Reply(200, instance.qrCode(), connectWait);
            default:
                return new Reply(200, Json.createObjectBuilder()
                        .add("instance", Json.createObjectBuilder().add("instanceName", instance.name).add("status", instance.state))
                        .add("qrcode", instance.qrCode())
                        .build());
        }
    }

    private Reply restart(SimulatedInstance instance, Request request) {
        if (instance.state.equals("close")) {
            // restartInstance throws a plain object inside its own try; the catch answers 200 with its toString() (sic)
            return new Reply(200, Json.createObjectBuilder().add("error", true).add("message", "[object Object]").build());
        }
        return connect(instance, request);
    }

    private Reply logout(SimulatedInstance instance) {
        if (instance.state.equals("close")) {
            return version == ServerVersion.V2_4
                    ? success("Instance was already disconnected") // 2.4.0 made logout idempotent
                    : badRequest("The \"" + instance.name + "\" instance is not connected");
        }
        instance.logout();
        return success("Instance logged out");
    }

    /**
     * instance.controller.ts deleteInstance and monitor.service.ts removeInstance: log out an open or connecting
     * instance, fire instance.delete, answer at once; then remove.instance is delivered (awaited, with its retries) and
     * only after that does the instance go. Meanwhile it still exists: every route answers as for a closed instance
     * and a create of the same name gets 403 "already in use". The removal also waits out the configured minimum.
     */
    private Reply delete(SimulatedInstance instance) {
        if (instance.state.equals("open") || instance.state.equals("connecting")) {
            instance.logout();
        }
        deliverable(instance, "instance.delete", Json.createObjectBuilder()
                .add("instanceName", instance.name)
                .add("instanceId", instance.id)
                .build()).ifPresent(emitter::fire);
        Emission removal = deliverable(instance, "remove.instance", JsonValue.NULL).orElse(null);
        emitter.afterDelivery(removal, removalDelay, () -> completeRemoval(instance));
        return success("Instance deleted");
    }

    private static Reply success(String message) {
        return new Reply(200, Json.createObjectBuilder()
                .add("status", "SUCCESS")
                .add("error", false)
                .add("response", Json.createObjectBuilder().add("message", message))
                .build());
    }

    // ---- webhooks ----

    private static Reply findWebhook(SimulatedInstance instance) {
        return new Reply(200, instance.webhook == null ? JsonValue.NULL : instance.webhook.toJson(instance.id));
    }

    private Reply setWebhook(SimulatedInstance instance, JsonObject body) {
        WebhookSettings settings = nestedBodies()
                ? nestedSetBody(body)
                : version == ServerVersion.V2_0
                        ? flatSetBody(body, "webhookByEvents", "webhookBase64", "webhook", "webhook_by_events")
                        : flatSetBody(body, "webhook_by_events", null, "webhook", "webhookByEvents", "webhookBase64");
        try {
            return new Reply(201, upsertWebhook(instance, settings).toJson(instance.id));
        } catch (TypeErrorCrash crash) {
            // an uncaught TypeError reaches Express's error handler: 500, the message a plain string
            return Reply.error(500, "Internal Server Error", Json.createValue(crash.getMessage()));
        }
    }

    /** webhook.schema.ts (2.1 and later): {"webhook": {"enabled", "url", "headers", "byEvents", "base64", "events"}}. */
    private WebhookSettings nestedSetBody(JsonObject body) {
        SchemaCheck check = SchemaCheck.of(body).object("webhook");
        if (body.get("webhook") instanceof JsonObject webhook) {
            check.nested("webhook", webhook)
                    .bool("enabled").string("url").object("headers").bool("byEvents", "base64").events("events", events())
                    .required("enabled", "url");
            // isNotEmpty("enabled", "url") is an if/then on propertyNames: it only fires when those are the only keys,
            // so an empty url sent along with events or headers is stored (and its deliveries silently skipped).
            if (ENABLED_AND_URL.containsAll(webhook.keySet()) && "".equals(webhook.getString("url", null))) {
                check.fail("The \"url\" cannot be empty");
            }
        }
        check.required("webhook").orReject();
        JsonObject webhook = body.getJsonObject("webhook");
        return settings(webhook, webhook.getBoolean("enabled"), "url", "byEvents", "base64", "events", true);
    }

    /**
     * The flat bodies of 2.0 and v1, known from older documentation only. Each refuses the fields that belong to the
     * other shapes, which is what lets a client's fallbacks be tested; an empty url is always refused. Neither release
     * has webhook headers (they came in 2.1.2): a "headers" field passes unchecked and is not stored.
     */
    private WebhookSettings flatSetBody(JsonObject body, String byEventsField, String base64Field,
            String... foreignFields) {
        SchemaCheck check = SchemaCheck.of(body).bool("enabled").string("url").bool(byEventsField);
        if (base64Field != null) {
            check.bool(base64Field);
        }
        check.events("events", events()).required("enabled", "url").notAllowed(foreignFields);
        if ("".equals(body.getString("url", null))) {
            check.fail("The \"url\" cannot be empty");
        }
        check.orReject();
        return settings(body, body.getBoolean("enabled"), "url", byEventsField, base64Field, "events", false);
    }

    private static WebhookSettings settings(JsonObject source, boolean enabled, String urlField, String byEventsField,
            String base64Field, String eventsField, boolean withHeaders) {
        return new WebhookSettings(
                enabled,
                source.getString(urlField, null),
                withHeaders && source.get("headers") instanceof JsonObject headers ? headers : null,
                flag(source, byEventsField),
                flag(source, base64Field),
                source.get(eventsField) instanceof JsonArray events ? events.getValuesAs(JsonString::getString) : null);
    }

    private static Boolean flag(JsonObject source, String field) {
        JsonValue value = field == null ? null : source.get(field);
        if (value == null || (value.getValueType() != TRUE && value.getValueType() != FALSE)) {
            return null;
        }
        return value.getValueType() == TRUE;
    }

    /**
     * webhook.controller.ts set(): disabled wipes the events, [] means all of them, and a missing list crashes (in 2.1;
     * assumed for the older versions too, the strict choice). Then a Prisma upsert, whose update leaves the fields a
     * body did not give (headers, byEvents, base64) as they were.
     */
    private WebhookRow upsertWebhook(SimulatedInstance instance, WebhookSettings settings) {
        List<String> events;
        if (!settings.enabled()) {
            events = List.of();
        } else if (settings.events() == null) {
            throw new TypeErrorCrash(MISSING_EVENTS_CRASH);
        } else {
            events = settings.events().isEmpty() ? events() : List.copyOf(settings.events());
        }
        WebhookRow row = instance.webhook == null ? new WebhookRow() : instance.webhook;
        row.enabled = settings.enabled();
        row.url = settings.url();
        row.events = events;
        if (settings.headers() != null) {
            row.headers = settings.headers();
        }
        if (settings.byEvents() != null) {
            row.byEvents = settings.byEvents();
        }
        if (settings.base64() != null) {
            row.base64 = settings.base64();
        }
        row.updatedAt = SimulatedInstance.now();
        instance.webhook = row;
        return row;
    }

    private static String newToken() {
        return UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
    }

    /** A webhook configuration as one request gives it; null fields were not given. */
    private record WebhookSettings(boolean enabled, String url, JsonObject headers, Boolean byEvents, Boolean base64,
            List<String> events) {
    }

    /** A JavaScript TypeError inside Evolution: a route turns it into a 500, createInstance into a 400. */
    private static final class TypeErrorCrash extends RuntimeException {
        TypeErrorCrash(String message) {
            super(message, null, false, false);
        }
    }
}
