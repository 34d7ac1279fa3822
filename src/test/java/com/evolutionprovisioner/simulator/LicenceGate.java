package com.evolutionprovisioner.simulator;

import jakarta.json.Json;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The licence gate of Evolution 2.4.0 ({@code src/licensing/runtime.ts}, gateMiddleware): until the server is activated
 * every route but a few public ones answers 503 LICENSE_REQUIRED, ahead of the routers and so ahead of the instance and
 * apikey guards. Only a malformed JSON body, rejected by the body parser that runs first, gets its 400 instead.
 */
final class LicenceGate {

    private static final String DOCS_URL = "https://docs.evolutionfoundation.com.br/licensing";
    private static final Set<String> PUBLIC_PATHS = Set.of("/", "/health", "/server/ok", "/favicon.ico",
            "/license/status", "/license/register", "/license/activate", "/ws");
    private static final Set<String> PUBLIC_PREFIXES = Set.of("/manager", "/assets", "/store");
    private static final Pattern STATIC_ASSET = Pattern.compile("\\.(svg|css|js|png|ico|woff2?|ttf|map)$", Pattern.CASE_INSENSITIVE);

    /** The server's licensing instance id (hostname and MAC based in Evolution; any UUID here). */
    private final String instanceId = UUID.randomUUID().toString();
    private volatile boolean required;

    void setRequired(boolean required) {
        this.required = required;
    }

    /** The 503 for {@code request}, or null when it may pass. */
    Reply check(SimulatedEvolution.Request request) {
        String path = request.path();
        if (!required || PUBLIC_PATHS.contains(path) || PUBLIC_PREFIXES.stream().anyMatch(path::startsWith)
                || STATIC_ASSET.matcher(path).find()) {
            return null;
        }
        String scheme = request.forwardedProto() == null ? "http" : request.forwardedProto();
        String managerUrl = scheme + "://" + request.host() + "/manager/login";
        return new Reply(503, Json.createObjectBuilder()
                .add("error", "service not activated")
                .add("code", "LICENSE_REQUIRED")
                .add("register_url", managerUrl)
                .add("instance_id", instanceId)
                .add("docs_url", DOCS_URL)
                .add("message", "This Evolution API instance is not activated. Open " + managerUrl + " to activate, or set "
                        + "AUTHENTICATION_API_KEY in your .env with a valid licensing key. Docs: " + DOCS_URL)
                .build());
    }
}
