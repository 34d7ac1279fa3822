package com.evolutionprovisioner.provisioning.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InstanceDirectoryTest {

    @Test
    void likeWildcardsAndTheEscapeCharacterAreSearchedLiterally() {
        assertThat(InstanceDirectory.likeLiteral("100%_a\\b")).isEqualTo("100\\%\\_a\\\\b");
    }

    @Test
    void ordinaryTextIsUnchanged() {
        assertThat(InstanceDirectory.likeLiteral("ana@example.com")).isEqualTo("ana@example.com");
    }
}
