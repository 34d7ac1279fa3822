package com.evolutionprovisioner.webhooks.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The comparison of a delivery's server_url with the base URL of the instance's server. */
class ServerUrlCheckTest {

    @Test
    void theSameServerWrittenDifferentlyMatches() {
        assertThat(ServerUrlCheck.sameServer("http://127.0.0.1:8081", "http://127.0.0.1:8081/")).isTrue();
        assertThat(ServerUrlCheck.sameServer("https://Evo-1.Example.com", "https://evo-1.example.com:443")).isTrue();
        assertThat(ServerUrlCheck.sameServer("http://evo:80/evolution/", "HTTP://EVO/evolution")).isTrue();
    }

    @Test
    void anotherHostPortSchemeOrPathDiffers() {
        assertThat(ServerUrlCheck.sameServer("http://127.0.0.1:8081", "http://127.0.0.1:8082")).isFalse();
        assertThat(ServerUrlCheck.sameServer("http://evo-internal:8080", "https://evo.example.com")).isFalse();
        assertThat(ServerUrlCheck.sameServer("http://evo", "https://evo")).isFalse();
        assertThat(ServerUrlCheck.sameServer("http://evo/a", "http://evo/b")).isFalse();
    }

    @Test
    void anUnparseableServerUrlDiffers() {
        assertThat(ServerUrlCheck.sameServer("http://evo", "http://evo/ with spaces")).isFalse();
        assertThat(ServerUrlCheck.sameServer("http://evo", "not a url")).isFalse();
    }
}
