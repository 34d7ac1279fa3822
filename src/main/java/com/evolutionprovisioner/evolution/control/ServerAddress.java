package com.evolutionprovisioner.evolution.control;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The rule for an Evolution server's base URL: an absolute http(s) URL without query, fragment or credentials, and
 * https unless ALLOW_INSECURE_WEBHOOK_URL (or development mode) allows http, as for PUBLIC_BASE_URL: the server's
 * global key travels in every request's header. Stored without a trailing slash, so that one server has one spelling.
 */
public final class ServerAddress {

    private ServerAddress() {
    }

    /** What is wrong with the URL, for a 400; empty when it is acceptable. */
    public static Optional<String> problem(String url, boolean httpAllowed) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (java.net.URISyntaxException notAUri) {
            return Optional.of("baseUrl is not a URL.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
            return Optional.of("baseUrl must be an absolute http:// or https:// URL with a host.");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            return Optional.of("baseUrl must not carry a query, a fragment or credentials.");
        }
        if (scheme.equals("http") && !httpAllowed) {
            return Optional.of("baseUrl must be https: the server's API key travels with every request "
                    + "(ALLOW_INSECURE_WEBHOOK_URL=true allows http on a private network).");
        }
        return Optional.empty();
    }

    /** The URL as stored: trimmed, without trailing slashes. */
    public static String normalized(String url) {
        String trimmed = url.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
