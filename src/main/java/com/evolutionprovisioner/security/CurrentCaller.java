package com.evolutionprovisioner.security;

import jakarta.enterprise.context.RequestScoped;

/** Holds the caller the authentication filter verified, for the rest of the request. */
@RequestScoped
public class CurrentCaller {

    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    public Caller get() {
        if (caller == null) {
            throw new IllegalStateException("No authenticated caller: is the resource annotated @Authenticated?");
        }
        return caller;
    }
}
