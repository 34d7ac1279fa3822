package com.evolutionprovisioner.security;

/** A stored secret that cannot be used; the message names where it is stored and what to do, never the value. */
public class UnreadableSecretException extends RuntimeException {

    public UnreadableSecretException(String message) {
        super(message);
    }
}
