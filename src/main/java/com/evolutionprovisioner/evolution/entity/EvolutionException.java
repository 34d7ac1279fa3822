package com.evolutionprovisioner.evolution.entity;

/** Evolution API could not do what we asked. The message is safe to store and show to an operator. */
public class EvolutionException extends RuntimeException {

    /** What kind of failure it is decides what the caller does next. */
    public enum Kind {
        /** Worth trying again soon: a 5xx, a timeout, a refused connection, an open circuit. Not the user's fault. */
        UNAVAILABLE,
        /** Trying again will not help until something changes: a 4xx, an unconfirmed configuration. */
        REJECTED,
        /** Evolution 2.4's licence gate: nothing works on that server until an operator activates it. */
        LICENCE_REQUIRED,
        /** Evolution does not know the instance we believed it had: adopt or create it again. */
        INSTANCE_MISSING
    }

    private final Kind kind;

    private EvolutionException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public static EvolutionException unavailable(String message, Throwable cause) {
        return new EvolutionException(Kind.UNAVAILABLE, message, cause);
    }

    public static EvolutionException rejected(String message) {
        return new EvolutionException(Kind.REJECTED, message, null);
    }

    public static EvolutionException licenceRequired(String message) {
        return new EvolutionException(Kind.LICENCE_REQUIRED, message, null);
    }

    public static EvolutionException instanceMissing(String message) {
        return new EvolutionException(Kind.INSTANCE_MISSING, message, null);
    }

    public Kind kind() {
        return kind;
    }

    public boolean isTransient() {
        return kind == Kind.UNAVAILABLE;
    }
}
