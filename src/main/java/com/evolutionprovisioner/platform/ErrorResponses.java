package com.evolutionprovisioner.platform;

import jakarta.json.stream.JsonParsingException;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns every failure into a JSON answer without a stack trace. The database being unreachable is a 503 with
 * Retry-After rather than a 500: clients, and Evolution API's webhook retries, should simply come back.
 * A refused request (4xx) gets one log line, escaped and rate-limited per kind of refusal: anyone can send them.
 */
@Provider
public class ErrorResponses implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ErrorResponses.class.getName());
    static final String RETRY_AFTER_SECONDS = "5";
    private static final List<String> JSON_PARSER_PACKAGES = List.of("org.eclipse.parsson.", "org.glassfish.json.");
    private static final LogThrottle REFUSALS = new LogThrottle(Duration.ofSeconds(10));

    @Context
    UriInfo uriInfo;

    @Context
    Request request;

    @Override
    public Response toResponse(Throwable failure) {
        ApiException refusal = causeOfType(failure, ApiException.class);
        if (refusal != null) {
            return refused(refusal.status().getStatusCode(), refusal.toBody(), refusal.getMessage(),
                    refusal.retryAfter());
        }
        Throwable unparsable = causeOfType(failure, JsonParsingException.class);
        if (unparsable == null) {
            unparsable = causeOfType(failure, JsonbException.class);
        }
        if (unparsable == null && raisedByJsonParser(failure)) {
            unparsable = failure;
        }
        if (unparsable != null) {
            return refused(400, new ApiError("malformed_json", "The request body is not valid JSON for this endpoint."),
                    unparsable.getMessage(), null);
        }
        if (failure instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            Response original = web.getResponse();
            return refused(original.getStatus(), new ApiError(errorCode(original.getStatusInfo()),
                    original.getStatusInfo().getReasonPhrase()), failure.getMessage(), null);
        }
        if (isDatabaseUnavailable(failure)) {
            LOG.warning(() -> "Answering 503: the database is unreachable (" + rootCause(failure) + ")");
            return Response.status(Status.SERVICE_UNAVAILABLE)
                    .header("Retry-After", RETRY_AFTER_SECONDS)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ApiError("unavailable", "The service cannot reach its database right now; retry shortly."))
                    .build();
        }
        LOG.log(Level.SEVERE, "Unexpected failure answering a request", failure);
        return json(500, new ApiError("internal_error", "Unexpected server error; it has been logged."));
    }

    /** True when the failure comes from the database connection rather than from the statement itself. */
    public static boolean isDatabaseUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("Error in allocating a connection") || message.contains("Connection refused")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Parsson reports some malformed input (nesting deeper than it allows) as a plain RuntimeException: recognise it by
     * where it was thrown, so that bad input from a client is a 400 and not a 500 with a stack trace.
     */
    private static boolean raisedByJsonParser(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            StackTraceElement[] frames = t.getStackTrace();
            if (frames.length > 0 && JSON_PARSER_PACKAGES.stream().anyMatch(frames[0].getClassName()::startsWith)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The 4xx answer, and its log line: at most one per status and error code every 10 s, then a count. */
    private Response refused(int status, ApiError body, String cause, Duration retryAfter) {
        REFUSALS.log(LOG, Level.INFO, status + " " + body.error(), () -> status + " " + body.error() + " on "
                + request.getMethod() + " " + LogSafe.quote(uriInfo.getRequestUri().getRawPath()) + ": "
                + LogSafe.quote(cause));
        Response.ResponseBuilder answer = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
        if (retryAfter != null) {
            answer.header("Retry-After", Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
        }
        return answer.build();
    }

    private static Response json(int status, ApiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    private static String errorCode(Response.StatusType status) {
        return status.getReasonPhrase().toLowerCase().replace(' ', '_');
    }

    private static <T extends Throwable> T causeOfType(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String rootCause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
    }
}
