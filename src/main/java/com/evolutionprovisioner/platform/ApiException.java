package com.evolutionprovisioner.platform;

import jakarta.ws.rs.core.Response.Status;
import java.time.Duration;

/** A request the API refuses on purpose, with the status and the words the client should see. */
public class ApiException extends RuntimeException {

    private final Status status;
    private final String error;
    private final Duration retryAfter;

    public ApiException(Status status, String error, String message) {
        this(status, error, message, null);
    }

    private ApiException(Status status, String error, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.error = error;
        this.retryAfter = retryAfter;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(Status.BAD_REQUEST, "bad_request", message);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(Status.UNAUTHORIZED, "unauthorized", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(Status.FORBIDDEN, "forbidden", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(Status.NOT_FOUND, "not_found", message);
    }

    /** The caller has used up its allowance of an action; it may come back after {@code retryAfter}. */
    public static ApiException tooManyRequests(String message, Duration retryAfter) {
        return new ApiException(Status.TOO_MANY_REQUESTS, "too_many_requests", message, retryAfter);
    }

    public Status status() {
        return status;
    }

    /** When the client may try again (the Retry-After header), or null when the refusal does not pass with time. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public ApiError toBody() {
        return new ApiError(error, getMessage());
    }
}
