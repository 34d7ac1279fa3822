package com.evolutionprovisioner.platform;

import jakarta.ws.rs.core.Response.Status;

/** A request the API refuses on purpose, with the status and the words the client should see. */
public class ApiException extends RuntimeException {

    private final Status status;
    private final String error;

    public ApiException(Status status, String error, String message) {
        super(message);
        this.status = status;
        this.error = error;
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

    public Status status() {
        return status;
    }

    public ApiError toBody() {
        return new ApiError(error, getMessage());
    }
}
