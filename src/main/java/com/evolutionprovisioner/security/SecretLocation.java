package com.evolutionprovisioner.security;

import java.nio.charset.StandardCharsets;

/**
 * Where a secret is stored: table, column and the row's key. Its text, e.g.
 * {@code evolution_instances.webhook_key:<user id>}, is the AES-GCM additional data of the value, so that a value
 * only decrypts where it was written.
 */
public record SecretLocation(String table, String column, String rowKeyColumn, String rowKey) {

    byte[] additionalData() {
        return (table + "." + column + ":" + rowKey).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return table + "." + column + " of the row " + rowKeyColumn + " = " + rowKey;
    }
}
