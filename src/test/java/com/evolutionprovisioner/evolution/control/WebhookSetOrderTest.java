package com.evolutionprovisioner.evolution.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.evolution.entity.EvolutionVersion;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The server's version puts its own webhook/set body first; unknown keeps the probing order, newest first. */
class WebhookSetOrderTest {

    @Test
    void eachVersionTriesItsOwnBodyFirst() {
        assertThat(WebhookConfigurer.setOrder(EvolutionVersion.parse("2.3.6")))
                .containsExactly("webhook-set-v2.1", "webhook-set-v2.0", "webhook-set-v1");
        assertThat(WebhookConfigurer.setOrder(EvolutionVersion.parse("2.0.10")))
                .containsExactly("webhook-set-v2.0", "webhook-set-v2.1", "webhook-set-v1");
        assertThat(WebhookConfigurer.setOrder(EvolutionVersion.parse("1.8.2")))
                .containsExactly("webhook-set-v1", "webhook-set-v2.1", "webhook-set-v2.0");
    }

    @Test
    void anUnknownVersionProbesNewestFirst() {
        assertThat(WebhookConfigurer.setOrder(Optional.empty()))
                .containsExactly("webhook-set-v2.1", "webhook-set-v2.0", "webhook-set-v1");
    }
}
