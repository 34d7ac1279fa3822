package com.evolutionprovisioner.simulator;

import static jakarta.json.JsonValue.ValueType.FALSE;
import static jakarta.json.JsonValue.ValueType.TRUE;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator.ServerVersion;
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
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Evolution API itself, in memory: its routes, its guards in their real order (instance exists, name in use, then
 * apikey), request validation per {@link ServerVersion}, and the instances with their webhook rows. Bodies, messages and
 * quirks follow the contract page, checked against the 2.3.6 source; where the contract is unsure about older releases
 * the simulator is deliberately strict, so a client that gets by here gets by there. All methods are synchronized:
 * requests are quick, and the slow faults (latency, hangs) are applied before a request gets here.
 */
final class SimulatedEvolution {

    /** One API request as Evolution's router sees it. */
    record Request(String method, URI uri, String apiKey, String contentType, String body) {

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

    /**
     * EventController.events: what webhook/set accepts. 2.4.0 adds MESSAGING_HISTORY_SET; it is left out so that a
     * client relying on it fails here as it would against 2.3.
     */
    static final List<String> EVENTS = List.of(
            "APPLICATION_STARTUP", "QRCODE_UPDATED", "MESSAGES_SET", "MESSAGES_UPSERT", "MESSAGES_EDITED",
            "MESSAGES_UPDATE", "MESSAGES_DELETE", "SEND_MESSAGE", "SEND_MESSAGE_UPDATE", "CONTACTS_SET",
            "CONTACTS_UPSERT", "CONTACTS_UPDATE", "PRESENCE_UPDATE", "CHATS_SET", "CHATS_UPSERT", "CHATS_UPDATE",
            "CHATS_DELETE", "GROUPS_UPSERT", "GROUP_UPDATE", "GROUP_PARTICIPANTS_UPDATE", "CONNECTION_UPDATE",
            "LABELS_EDIT", "LABELS_ASSOCIATION", "CALL", "TYPEBOT_START", "TYPEBOT_CHANGE_STATUS",
            "REMOVE_INSTANCE", "LOGOUT_INSTANCE", "INSTANCE_CREATE", "INSTANCE_DELETE", "STATUS_INSTANCE");

    /** instance.schema.ts checks a create body's flat webhookEvents against a shorter list: all but the last five. */
    private static final List<String> CREATE_SCHEMA_EVENTS = EVENTS.subList(0, 26);

    private static final String BAILEYS = "WHATSAPP-BAILEYS";
    private static final String BUSINESS = "WHATSAPP-BUSINESS";
    private static final Set<String> INTEGRATIONS = Set.of(BAILEYS, BUSINESS, "EVOLUTION");
    private static final String CLIENT_NAME = "evolution_exchange";
    private static final Pattern NUMBER = Pattern.compile("^\\d+[\\.@\\w-]+");
    /**
     * Simulator-only and stricter than Evolution, which stores any name: names outside this set give lasting 404s
     * later (the contract says to generate canonical ones), so a client producing them should fail its tests.
     */
    private static final Pattern INSTANCE_NAME = Pattern.compile("^[A-Za-z0-9._-]+$");
    private static final Pattern NAMED_ROUTE = Pattern.compile("^/((?:instance|webhook)/[A-Za-z]+)/([^/]+)$");
    private static final Set<String> ENABLED_AND_URL = Set.of("enabled", "url");
    /** What Node says when webhook.set() reads events.length of a body that has no events. */
    private static final String MISSING_EVENTS_CRASH = "Cannot read properties of undefined (reading 'length')";
    /** A 1x1 PNG, so the QR code's data URL decodes to a real image. */
    private static final String QR_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String apiKey;
    private final String serverUrl;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, BiFunction<Instance, JsonObject, Reply>> namedRoutes = Map.of(
            "GET /instance/connectionState", (instance, body) -> connectionState(instance),
            "GET /instance/connect", (instance, body) -> connect(instance),
            "POST /instance/restart", (instance, body) -> restart(instance),
            "DELETE /instance/logout", (instance, body) -> logout(instance),
            "DELETE /instance/delete", (instance, body) -> delete(instance),
            "POST /webhook/set", this::setWebhook,
            "GET /webhook/find", (instance, body) -> findWebhook(instance));
    private ServerVersion version = ServerVersion.V2_1;

    SimulatedEvolution(String apiKey, String serverUrl) {
        this.apiKey = apiKey;
        this.serverUrl = serverUrl;
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

    synchronized void reset() {
        instances.clear();
        version = ServerVersion.V2_1;
    }

    /** An instance that exists before the test starts (a name conflict, or a legacy instance to adopt). */
    synchronized void preCreate(String name) {
        instances.computeIfAbsent(name, n -> new Instance(n, BAILEYS, newToken(), null, settingsOf(JsonValue.EMPTY_JSON_OBJECT)));
    }

    synchronized int instanceCount() {
        return instances.size();
    }

    synchronized Optional<JsonObject> webhookOf(String instanceName) {
        Instance instance = instances.get(instanceName);
        return instance == null || instance.webhook == null
                ? Optional.empty()
                : Optional.of(instance.webhook.toJson(instance.id));
    }

    /** Evolution wiping a webhook row, as users report after restarts: find answers null afterwards. */
    synchronized void clearWebhook(String instanceName) {
        Instance instance = instances.get(instanceName);
        if (instance != null) {
            instance.webhook = null;
        }
    }

    /** What a delivery of {@code event} needs; a connection.update also moves the instance to the state it reports. */
    synchronized WebhookSender.Target deliveryTarget(String instanceName, String event, JsonObject data) {
        Instance instance = instances.get(instanceName);
        if (instance == null) {
            throw new IllegalStateException("no instance \"" + instanceName + "\"");
        }
        // Evolution emits connection.update when the state changes; mirror it so connectionState agrees with the event.
        if (event.equals("connection.update") && data.get("state") instanceof JsonString state) {
            instance.state = state.getString();
            if (data.get("wuid") instanceof JsonString wuid) {
                instance.ownerJid = wuid.getString();
            }
        }
        WebhookRow row = instance.webhook;
        if (row == null) {
            throw new IllegalStateException("instance \"" + instanceName + "\" has no webhook configured");
        }
        return new WebhookSender.Target(instance.name, instance.id, instance.ownerJid, row.url, row.headers,
                row.enabled, row.events, row.byEvents);
    }

    private Reply route(Request request, JsonObject body) {
        String method = request.method();
        String path = request.path();
        if (method.equals("GET") && path.equals("/")) {
            return welcome();
        }
        if (method.equals("POST") && path.equals("/instance/create")) {
            return create(request, body);
        }
        if (method.equals("GET") && path.equals("/instance/fetchInstances")) {
            return fetchInstances(request);
        }
        Matcher named = NAMED_ROUTE.matcher(path);
        BiFunction<Instance, JsonObject, Reply> action =
                named.matches() ? namedRoutes.get(method + " /" + named.group(1)) : null;
        if (action == null) {
            return Reply.error(404, "Not Found", "Cannot " + method + " " + request.url());
        }
        String name = named.group(2);
        Instance instance = instances.get(name);
        // instanceExistsGuard runs before the key check: an unknown name is a 404 even with a wrong key.
        if (instance == null) {
            return Reply.error(404, "Not Found", "The \"" + name + "\" instance does not exist");
        }
        if (!authorized(request, instance)) {
            return unauthorized();
        }
        return action.apply(instance, body);
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
    private boolean authorized(Request request, Instance instance) {
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
        String release = switch (version) {
            case V1 -> "1.8.2";
            case V2_0 -> "2.0.10";
            case V2_1 -> "2.3.6";
        };
        return new Reply(200, Json.createObjectBuilder()
                .add("status", 200)
                .add("message", "Welcome to the Evolution API, it is working!")
                .add("version", release)
                .add("clientName", CLIENT_NAME)
                .add("manager", serverUrl + "/manager")
                .add("documentation", "https://doc.evolution-api.com")
                .build());
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
        String name = checkedName(nameValue); // where Evolution saves the instance, and a missing name fails
        String number = body.getString("number", "");
        Instance instance = new Instance(name, integration, token.isEmpty() ? newToken() : token,
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
            instance.state = "connecting";
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
            // 2.1 still validates the flat 2.0 webhook fields, then ignores them.
            case V2_1 -> check.string("webhookUrl").bool("webhookByEvents", "webhookBase64")
                    .events("webhookEvents", CREATE_SCHEMA_EVENTS);
            // Assumed: 2.0 kept v1's string "webhook", so the 2.1 nested object fails its schema.
            case V2_0 -> check.string("webhookUrl").bool("webhookByEvents", "webhookBase64")
                    .events("webhookEvents", CREATE_SCHEMA_EVENTS).string("webhook");
            case V1 -> check.string("webhook").bool("webhook_by_events").events("events", EVENTS);
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
            case V2_1 -> nestedCreateWebhook(body.get("webhook"));
            case V2_0 -> flatCreateWebhook(body, "webhookUrl", "webhookByEvents", "webhookBase64", "webhookEvents");
            case V1 -> flatCreateWebhook(body, "webhook", "webhook_by_events", null, "events");
        };
    }

    private static WebhookSettings nestedCreateWebhook(JsonValue value) {
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
                .string("url").object("headers").bool("byEvents", "base64").events("events", EVENTS);
        if (webhook.containsKey("events")) {
            strict.required("url"); // without events, Evolution crashes before it looks at the url
        }
        strict.orReject();
        return settings(webhook, true, "url", "byEvents", "base64", "events");
    }

    private static WebhookSettings flatCreateWebhook(JsonObject body, String urlField, String byEventsField,
            String base64Field, String eventsField) {
        if (body.getString(urlField, "").isEmpty()) {
            return null;
        }
        return settings(body, true, urlField, byEventsField, base64Field, eventsField);
    }

    private JsonObject createResponse(Instance instance, WebhookSettings webhook, boolean withQrCode) {
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
                .add("rabbitmq", JsonValue.EMPTY_JSON_OBJECT)
                .add("nats", JsonValue.EMPTY_JSON_OBJECT)
                .add("sqs", JsonValue.EMPTY_JSON_OBJECT)
                .add("settings", instance.settings);
        if (withQrCode) {
            response.add("qrcode", qrCode(instance));
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
            List<Instance> own = instances.values().stream()
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
            Instance instance = instances.get(name);
            return instance == null
                    ? Reply.error(404, "Not Found", "Instance \"" + name + "\" not found")
                    : instanceList(List.of(instance));
        }
        return instanceList(List.copyOf(instances.values()));
    }

    private static Reply instanceList(List<Instance> list) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        list.forEach(instance -> array.add(instance.toFetchJson()));
        return new Reply(200, array.build());
    }

    // ---- routes on /{instanceName} ----

    private static Reply connectionState(Instance instance) {
        return new Reply(200, Json.createObjectBuilder()
                .add("instance", Json.createObjectBuilder().add("instanceName", instance.name).add("state", instance.state))
                .build());
    }

    private static Reply connect(Instance instance) {
        if (instance.state.equals("open")) {
            return connectionState(instance);
        }
        instance.state = "connecting";
        return new Reply(200, qrCode(instance));
    }

    private static Reply restart(Instance instance) {
        if (instance.state.equals("close")) {
            // restartInstance throws a plain object inside its own try; the catch answers 200 with its toString() (sic)
            return new Reply(200, Json.createObjectBuilder().add("error", true).add("message", "[object Object]").build());
        }
        return connect(instance);
    }

    private static Reply logout(Instance instance) {
        if (instance.state.equals("close")) {
            return badRequest("The \"" + instance.name + "\" instance is not connected");
        }
        instance.state = "close";
        instance.ownerJid = null;
        return success("Instance logged out");
    }

    private Reply delete(Instance instance) {
        instances.remove(instance.name);
        return success("Instance deleted");
    }

    private static Reply success(String message) {
        return new Reply(200, Json.createObjectBuilder()
                .add("status", "SUCCESS")
                .add("error", false)
                .add("response", Json.createObjectBuilder().add("message", message))
                .build());
    }

    private static JsonObject qrCode(Instance instance) {
        return Json.createObjectBuilder()
                .addNull("pairingCode")
                .add("code", "2@simulated-qr-" + instance.id)
                .add("base64", "data:image/png;base64," + QR_PNG)
                .add("count", 1)
                .build();
    }

    // ---- webhooks ----

    private static Reply findWebhook(Instance instance) {
        return new Reply(200, instance.webhook == null ? JsonValue.NULL : instance.webhook.toJson(instance.id));
    }

    private Reply setWebhook(Instance instance, JsonObject body) {
        WebhookSettings settings = switch (version) {
            case V2_1 -> nestedSetBody(body);
            case V2_0 -> flatSetBody(body, "webhookByEvents", "webhookBase64", "webhook", "webhook_by_events");
            case V1 -> flatSetBody(body, "webhook_by_events", null, "webhook", "webhookByEvents", "webhookBase64");
        };
        try {
            return new Reply(201, upsertWebhook(instance, settings).toJson(instance.id));
        } catch (TypeErrorCrash crash) {
            // an uncaught TypeError reaches Express's error handler: 500, the message a plain string
            return Reply.error(500, "Internal Server Error", Json.createValue(crash.getMessage()));
        }
    }

    /** webhook.schema.ts (2.1 and later): {"webhook": {"enabled", "url", "headers", "byEvents", "base64", "events"}}. */
    private static WebhookSettings nestedSetBody(JsonObject body) {
        SchemaCheck check = SchemaCheck.of(body).object("webhook");
        if (body.get("webhook") instanceof JsonObject webhook) {
            check.nested("webhook", webhook)
                    .bool("enabled").string("url").object("headers").bool("byEvents", "base64").events("events", EVENTS)
                    .required("enabled", "url");
            // isNotEmpty("enabled", "url") is an if/then on propertyNames: it only fires when those are the only keys,
            // so an empty url sent along with events or headers is stored (and its deliveries silently skipped).
            if (ENABLED_AND_URL.containsAll(webhook.keySet()) && "".equals(webhook.getString("url", null))) {
                check.fail("The \"url\" cannot be empty");
            }
        }
        check.required("webhook").orReject();
        JsonObject webhook = body.getJsonObject("webhook");
        return settings(webhook, webhook.getBoolean("enabled"), "url", "byEvents", "base64", "events");
    }

    /**
     * The flat bodies of 2.0 and v1, known from older documentation only. Each refuses the fields that belong to the
     * other shapes, which is what lets a client's fallbacks be tested; an empty url is always refused.
     */
    private static WebhookSettings flatSetBody(JsonObject body, String byEventsField, String base64Field,
            String... foreignFields) {
        SchemaCheck check = SchemaCheck.of(body).bool("enabled").string("url").object("headers").bool(byEventsField);
        if (base64Field != null) {
            check.bool(base64Field);
        }
        check.events("events", EVENTS).required("enabled", "url").notAllowed(foreignFields);
        if ("".equals(body.getString("url", null))) {
            check.fail("The \"url\" cannot be empty");
        }
        check.orReject();
        return settings(body, body.getBoolean("enabled"), "url", byEventsField, base64Field, "events");
    }

    private static WebhookSettings settings(JsonObject source, boolean enabled, String urlField, String byEventsField,
            String base64Field, String eventsField) {
        return new WebhookSettings(
                enabled,
                source.getString(urlField, null),
                source.get("headers") instanceof JsonObject headers ? headers : null,
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
    private static WebhookRow upsertWebhook(Instance instance, WebhookSettings settings) {
        List<String> events;
        if (!settings.enabled()) {
            events = List.of();
        } else if (settings.events() == null) {
            throw new TypeErrorCrash(MISSING_EVENTS_CRASH);
        } else {
            events = settings.events().isEmpty() ? EVENTS : List.copyOf(settings.events());
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
        row.updatedAt = now();
        instance.webhook = row;
        return row;
    }

    private static String newToken() {
        return UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static JsonValue nullable(String value) {
        return value == null ? JsonValue.NULL : Json.createValue(value);
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

    private static final class Instance {
        final String id = UUID.randomUUID().toString();
        final String createdAt = now();
        final String name;
        final String integration;
        final String token;
        final String number;
        final JsonObject settings;
        String state = "close";
        /** The paired WhatsApp JID; deliveries send it as "sender". */
        String ownerJid;
        WebhookRow webhook;

        Instance(String name, String integration, String token, String number, JsonObject settings) {
            this.name = name;
            this.integration = integration;
            this.token = token;
            this.number = number;
            this.settings = settings;
        }

        /** The Prisma row fetchInstances returns, with its relations. */
        JsonObject toFetchJson() {
            return Json.createObjectBuilder()
                    .add("id", id)
                    .add("name", name)
                    .add("connectionStatus", state)
                    .add("ownerJid", nullable(ownerJid))
                    .addNull("profileName")
                    .addNull("profilePicUrl")
                    .add("integration", integration)
                    .add("number", nullable(number))
                    .addNull("businessId")
                    .add("token", token)
                    .add("clientName", CLIENT_NAME)
                    .addNull("disconnectionReasonCode")
                    .addNull("disconnectionObject")
                    .addNull("disconnectionAt")
                    .add("createdAt", createdAt)
                    .add("updatedAt", createdAt)
                    .addNull("Chatwoot")
                    .addNull("Proxy")
                    .addNull("Rabbitmq")
                    .addNull("Nats")
                    .addNull("Sqs")
                    .addNull("Websocket")
                    .add("Setting", Json.createObjectBuilder(settings).add("instanceId", id))
                    .add("_count", Json.createObjectBuilder().add("Message", 0).add("Contact", 0).add("Chat", 0))
                    .build();
        }
    }

    private static final class WebhookRow {
        final String id = cuid();
        final String createdAt = now();
        String updatedAt;
        String url;
        JsonObject headers;
        boolean enabled;
        List<String> events = List.of();
        boolean byEvents;
        boolean base64;

        JsonObject toJson(String instanceId) {
            return Json.createObjectBuilder()
                    .add("id", id)
                    .add("url", url)
                    .add("headers", headers == null ? JsonValue.NULL : headers)
                    .add("enabled", enabled)
                    .add("events", Json.createArrayBuilder(events))
                    .add("webhookByEvents", byEvents)
                    .add("webhookBase64", base64)
                    .add("createdAt", createdAt)
                    .add("updatedAt", updatedAt)
                    .add("instanceId", instanceId)
                    .build();
        }

        /** Prisma's default id for webhook rows is a cuid: "c" and 24 lower-case letters or digits. */
        private static String cuid() {
            StringBuilder id = new StringBuilder("c");
            for (int i = 0; i < 24; i++) {
                id.append(Character.forDigit(RANDOM.nextInt(36), 36));
            }
            return id.toString();
        }
    }
}
