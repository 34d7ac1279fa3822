package com.evolutionprovisioner.evolution.entity;

/** Evolution API could not do what we asked. The message is safe to store and show to an operator. */
public class EvolutionException extends RuntimeException {

    /** In the message of the licence gate's rejection, so that what follows can tell it from other rejections. */
    public static final String LICENCE_REQUIRED = "licence required";

    private final boolean transientFailure;

    private EvolutionException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** Worth trying again soon: a 5xx, a timeout, a refused connection. */
    public static EvolutionException unavailable(String message, Throwable cause) {
        return new EvolutionException(message, true, cause);
    }

    /** Trying again will not help until something changes: a 4xx, a licence gate, an unconfirmed configuration. */
    public static EvolutionException rejected(String message) {
        return new EvolutionException(message, false, null);
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
