package com.evolutionprovisioner.evolution.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvolutionTransportUriTest {

    @Test
    void joinsTheBaseUrlAndThePathWithOneSlash() {
        assertThat(EvolutionTransport.uri("http://127.0.0.1:8080", "/instance/create", Map.of()))
                .hasToString("http://127.0.0.1:8080/instance/create");
        assertThat(EvolutionTransport.uri("http://127.0.0.1:8080/", "/instance/create", Map.of()))
                .hasToString("http://127.0.0.1:8080/instance/create");
        assertThat(EvolutionTransport.uri("https://gw.example.com/evolution", "webhook/find/user_1", Map.of()))
                .hasToString("https://gw.example.com/evolution/webhook/find/user_1");
    }

    @Test
    void encodesTheQuery() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("instanceName", "user_1");
        query.put("note", "a b&c=d");
        assertThat(EvolutionTransport.uri("http://h:1", "/instance/fetchInstances", query))
                .hasToString("http://h:1/instance/fetchInstances?instanceName=user_1&note=a+b%26c%3Dd");
    }
}
