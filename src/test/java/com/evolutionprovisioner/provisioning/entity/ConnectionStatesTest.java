package com.evolutionprovisioner.provisioning.entity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the state check leaves our record alone: the same state, or our refused for Evolution's close. */
class ConnectionStatesTest {

    @Test
    void theSameStateAgrees() {
        assertThat(ConnectionStates.agree("open", "open")).isTrue();
        assertThat(ConnectionStates.agree("close", "close")).isTrue();
    }

    @Test
    void aRefusedSessionIsClosedAtEvolutionAndKeepsItsReason() {
        assertThat(ConnectionStates.agree("refused", "close")).isTrue();
        assertThat(ConnectionStates.agree("refused", "connecting")).as("a new session started").isFalse();
        assertThat(ConnectionStates.agree("close", "refused")).isFalse();
    }

    @Test
    void aDifferentOrUnknownRecordDisagrees() {
        assertThat(ConnectionStates.agree("open", "close")).isFalse();
        assertThat(ConnectionStates.agree(null, "connecting")).as("nothing recorded yet").isFalse();
    }
}
