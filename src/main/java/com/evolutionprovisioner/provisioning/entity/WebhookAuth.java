package com.evolutionprovisioner.provisioning.entity;

/**
 * How Evolution proves a delivery comes from it. {@code JWT}: we configure the {@code jwt_key} header and Evolution
 * (since March 2025) sends a short-lived HS256 token signed with it instead. {@code STATIC}: for older servers, which
 * send configured headers as they are, a per-instance secret header compared in constant time.
 */
public enum WebhookAuth {
    JWT, STATIC;

    /** The header carrying the static secret. */
    public static final String STATIC_SECRET_HEADER = "X-Webhook-Secret";

    public String dbValue() {
        return name().toLowerCase();
    }

    public static WebhookAuth of(String value) {
        return value == null ? JWT : valueOf(value.trim().toUpperCase());
    }
}
