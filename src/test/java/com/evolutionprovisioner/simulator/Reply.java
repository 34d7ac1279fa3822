package com.evolutionprovisioner.simulator;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;

/**
 * One HTTP answer of the simulator: a status, a JSON body, and how long Evolution takes before it answers (e.g. the
 * 2 s connect waits for the first QR code), which the simulator waits outside its lock.
 */
record Reply(int status, JsonValue body, Duration holdFor) {

    Reply(int status, JsonValue body) {
        this(status, body, Duration.ZERO);
    }

    /**
     * Evolution's error body {@code {"status","error","response":{"message":...}}}. The message is usually an array of
     * strings; 401s and crashes carry a plain string, schema errors an array of arrays — callers pass what fits.
     */
    static Reply error(int status, String error, JsonValue message) {
        return new Reply(status, Json.createObjectBuilder()
                .add("status", status)
                .add("error", error)
                .add("response", Json.createObjectBuilder().add("message", message))
                .build());
    }

    /** An error whose message is an array of strings, the most common shape. */
    static Reply error(int status, String error, String... messages) {
        return error(status, error, Json.createArrayBuilder(List.of(messages)).build());
    }

    /** Thrown to answer at once from deep inside request handling, as Evolution's thrown exceptions do. */
    static final class Rejection extends RuntimeException {
        private final Reply reply;

        Rejection(Reply reply) {
            super(null, null, false, false);
            this.reply = reply;
        }

        Reply reply() {
            return reply;
        }
    }
}
