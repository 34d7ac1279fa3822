package com.evolutionprovisioner.evolution.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A server's base URL: absolute http(s), https unless http is allowed, stored without a trailing slash. */
class ServerAddressTest {

    @Test
    void httpsIsAcceptedAndHttpOnlyWhenAllowed() {
        assertThat(ServerAddress.problem("https://evolution-2.example.com", false)).isEmpty();
        assertThat(ServerAddress.problem("http://10.0.0.5:8080", true)).isEmpty();
        assertThat(ServerAddress.problem("http://10.0.0.5:8080", false)).hasValueSatisfying(problem ->
                assertThat(problem).startsWith("baseUrl must be https").contains("ALLOW_INSECURE_WEBHOOK_URL"));
    }

    @Test
    void anythingButAnAbsoluteHttpUrlIsRefused() {
        assertThat(ServerAddress.problem("ftp://evolution.example", true))
                .contains("baseUrl must be an absolute http:// or https:// URL with a host.");
        assertThat(ServerAddress.problem("evolution.example:8080", true))
                .contains("baseUrl must be an absolute http:// or https:// URL with a host.");
        assertThat(ServerAddress.problem("https://", true)).contains("baseUrl is not a URL.");
        assertThat(ServerAddress.problem("https:/path-only", true))
                .contains("baseUrl must be an absolute http:// or https:// URL with a host.");
        assertThat(ServerAddress.problem("https://e.example/a b", true)).contains("baseUrl is not a URL.");
        assertThat(ServerAddress.problem("https://user:pw@e.example", true))
                .contains("baseUrl must not carry a query, a fragment or credentials.");
        assertThat(ServerAddress.problem("https://e.example/?x=1", true))
                .contains("baseUrl must not carry a query, a fragment or credentials.");
    }

    @Test
    void oneServerHasOneSpelling() {
        assertThat(ServerAddress.normalized(" https://e.example/evolution// ")).isEqualTo("https://e.example/evolution");
        assertThat(ServerAddress.normalized("https://e.example")).isEqualTo("https://e.example");
    }
}
