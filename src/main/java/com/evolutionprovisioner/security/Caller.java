package com.evolutionprovisioner.security;

import com.evolutionprovisioner.platform.ApiException;

/**
 * The authenticated caller of one request. A user acts only for themself; the service role (the system caller,
 * {@code role=service_role}) may act for any user and is the only one allowed to administer. {@code anonymous} is the
 * token's {@code is_anonymous} claim: a Supabase anonymous sign-in, which has role {@code authenticated} too.
 */
public record Caller(UserId userId, String role, boolean anonymous) {

    public static final String SERVICE_ROLE = "service_role";

    public Caller(UserId userId, String role) {
        this(userId, role, false);
    }

    public boolean isServiceRole() {
        return SERVICE_ROLE.equals(role);
    }

    /**
     * The user this request acts for: the caller themself, or — for the service role only — the user it names.
     * A user naming someone else gets the same 404 as for a user that does not exist: nothing is revealed.
     */
    public UserId actingFor(String requestedUserId) {
        if (requestedUserId == null || requestedUserId.isBlank()) {
            if (userId == null) {
                throw ApiException.badRequest("\"userId\" is required when calling with the service role.");
            }
            return userId;
        }
        UserId requested = UserId.parseOrNull(requestedUserId);
        if (requested == null) {
            throw ApiException.badRequest("\"userId\" must be a UUID.");
        }
        if (!isServiceRole() && !requested.equals(userId)) {
            throw ApiException.notFound("No such user.");
        }
        return requested;
    }

    public void requireServiceRole() {
        if (!isServiceRole()) {
            throw ApiException.forbidden("This endpoint is reserved for the service role.");
        }
    }

    /** The caller's own user id; the service role has none unless its token names one. */
    public UserId requireUser() {
        if (userId == null) {
            throw ApiException.badRequest("This endpoint needs a user token (a \"sub\" claim).");
        }
        return userId;
    }
}
