package com.evolutionprovisioner.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.evolution.entity.EvolutionVersion;
import org.junit.jupiter.api.Test;

/** What GET / reports, read into the version that selects the request shapes. */
class EvolutionVersionTest {

    @Test
    void releasesAndPreReleasesAreRead() {
        assertThat(EvolutionVersion.parse("2.3.6")).hasValueSatisfying(version -> {
            assertThat(version.major()).isEqualTo(2);
            assertThat(version.minor()).isEqualTo(3);
            assertThat(version.nestsWebhook()).isTrue();
        });
        assertThat(EvolutionVersion.parse("2.4.0-rc2").map(EvolutionVersion::minor)).contains(4);
        assertThat(EvolutionVersion.parse("v2.1")).hasValueSatisfying(version -> assertThat(version.nestsWebhook()).isTrue());
    }

    @Test
    void serversBefore21DoNotNestTheWebhook() {
        assertThat(EvolutionVersion.parse("2.0.10")).hasValueSatisfying(version -> {
            assertThat(version.nestsWebhook()).isFalse();
            assertThat(version.isV1()).isFalse();
        });
        assertThat(EvolutionVersion.parse("1.8.2")).hasValueSatisfying(version -> {
            assertThat(version.nestsWebhook()).isFalse();
            assertThat(version.isV1()).isTrue();
        });
    }

    @Test
    void anythingElseIsUnknown() {
        assertThat(EvolutionVersion.parse(null)).isEmpty();
        assertThat(EvolutionVersion.parse("latest")).isEmpty();
        assertThat(EvolutionVersion.parse("2")).isEmpty();
        assertThat(EvolutionVersion.parse("99999999999.1")).isEmpty();
    }
}
