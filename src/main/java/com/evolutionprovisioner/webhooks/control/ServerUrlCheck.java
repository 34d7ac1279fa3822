package com.evolutionprovisioner.webhooks.control;

import com.evolutionprovisioner.evolution.control.EvolutionPool;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.platform.ApplicationMetrics;
import com.evolutionprovisioner.platform.LogSafe;
import com.evolutionprovisioner.platform.LogThrottle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Compares an authenticated delivery's {@code server_url} with the base URL of the server its instance is placed on.
 * {@code server_url} is the sending Evolution's own SERVER_URL setting, not the address we call: behind a proxy it is
 * commonly the public hostname while we call an internal one, so a difference is not proof of anything, and a 403 is
 * never retried by Evolution (the event would be lost). Hence, by default ({@code WEBHOOK_SERVER_URL_MISMATCH=count}),
 * a difference is counted ({@code webhook_server_url_mismatch_total{server}}) and logged (once a minute per server),
 * and the delivery accepted; with {@code refuse}, for pools whose servers' SERVER_URL is the URL we call, it is
 * answered 403 {@code server_mismatch} (an instance moved away, still sending from its old server). URLs are compared
 * normalised: scheme and host in lower case, default port and trailing slashes dropped. A delivery without
 * {@code server_url}, or for an instance with no placement, is not checked.
 */
@ApplicationScoped
public class ServerUrlCheck {

    private static final Logger LOG = Logger.getLogger(ServerUrlCheck.class.getName());
    private static final LogThrottle MISMATCHES = new LogThrottle(Duration.ofMinutes(1));

    /** What a mismatch does. */
    public enum Mode {
        COUNT, REFUSE
    }

    @Inject
    EvolutionPool pool;

    @Inject
    ApplicationMetrics metrics;

    @Inject
    @ConfigProperty(name = "webhook.server.url.mismatch", defaultValue = "count")
    String mode;

    /**
     * Checks the delivery of an authenticated instance.
     *
     * @throws ApiException 403 {@code server_mismatch} when the URLs differ and mismatches are refused
     */
    public void check(String instanceName, String serverUrl) {
        if (serverUrl == null || serverUrl.isBlank()) {
            return;
        }
        Optional<String> server = pool.serverOf(new InstanceName(instanceName));
        if (server.isEmpty()) {
            return;
        }
        String expected = pool.baseUrlOf(server.get());
        if (sameServer(expected, serverUrl)) {
            return;
        }
        metrics.increment("webhook_server_url_mismatch", new Tag("server", server.get()));
        boolean refuse = Mode.valueOf(mode.trim().toUpperCase(Locale.ROOT)) == Mode.REFUSE;
        MISMATCHES.log(LOG, Level.WARNING, server.get(), () -> "Delivery for instance " + instanceName + " names server_url "
                + LogSafe.quote(serverUrl) + " but the instance is placed on Evolution server " + server.get() + " ("
                + expected + "): " + (refuse ? "refused (WEBHOOK_SERVER_URL_MISMATCH=refuse)" : "accepted; if that"
                + " server's SERVER_URL is its public address this is expected, otherwise the instance sends from"
                + " another server"));
        if (refuse) {
            throw new ApiException(Response.Status.FORBIDDEN, "server_mismatch",
                    "The delivery comes from another Evolution server than the instance's.");
        }
    }

    /** Whether two base URLs name the same server: scheme, host, port and path, normalised. */
    static boolean sameServer(String expected, String given) {
        return normalised(expected).equals(normalised(given));
    }

    private static String normalised(String url) {
        try {
            URI uri = URI.create(url.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
            String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
            return scheme + "://" + host + ":" + port + path;
        } catch (IllegalArgumentException unparseable) {
            return "unparseable:" + url;
        }
    }
}
