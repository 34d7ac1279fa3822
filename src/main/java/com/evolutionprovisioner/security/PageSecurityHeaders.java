package com.evolutionprovisioner.security;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The pages (the operator console at / and the pairing page at /connect) show stored, untrusted text and hold a
 * token: a strict Content-Security-Policy makes a missed escape inert (no inline script, nothing from elsewhere).
 * Only /connect may be framed, and only by the origins of CONNECT_FRAME_ANCESTORS.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class PageSecurityHeaders extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(PageSecurityHeaders.class.getName());
    private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?");
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ";

    @Inject
    @ConfigProperty(name = "connect.frame.ancestors")
    Optional<String> connectFrameAncestors;

    private String connectAncestors;

    @Override
    public void init() {
        connectAncestors = frameAncestors(connectFrameAncestors.orElse(""));
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (!path.startsWith("/api/")) {
            boolean pairingPage = path.equals("/connect") || path.startsWith("/connect/");
            response.setHeader("Content-Security-Policy", POLICY + (pairingPage ? connectAncestors : "'none'"));
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("Referrer-Policy", "same-origin");
            if (!pairingPage) {
                response.setHeader("X-Frame-Options", "DENY");
            }
        }
        chain.doFilter(request, response);
    }

    /** 'self' plus each well-formed origin of the setting (comma or space separated); anything else is ignored, loudly. */
    static String frameAncestors(String setting) {
        List<String> origins = Arrays.stream(setting.split("[,\\s]+")).filter(origin -> !origin.isEmpty()).toList();
        StringBuilder ancestors = new StringBuilder("'self'");
        for (String origin : origins) {
            if (ORIGIN.matcher(origin).matches()) {
                ancestors.append(' ').append(origin);
            } else {
                LOG.warning(() -> "CONNECT_FRAME_ANCESTORS: ignoring " + origin.length() + " characters that are not an "
                        + "origin such as https://app.example.com");
            }
        }
        return ancestors.toString();
    }
}
