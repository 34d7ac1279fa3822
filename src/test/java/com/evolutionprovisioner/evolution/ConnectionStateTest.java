package com.evolutionprovisioner.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.evolution.entity.ConnectionState;
import org.junit.jupiter.api.Test;

/** When the state check leaves our record alone: the same state, or our refused for Evolution's close. */
class ConnectionStateTest {

    @Test
    void theSameStateAgrees() {
        assertThat(ConnectionState.OPEN.agreesWith("open")).isTrue();
        assertThat(ConnectionState.CLOSE.agreesWith("close")).isTrue();
    }

    @Test
    void aRefusedSessionIsClosedAtEvolutionAndKeepsItsReason() {
        assertThat(ConnectionState.CLOSE.agreesWith("refused")).isTrue();
        assertThat(ConnectionState.CONNECTING.agreesWith("refused")).as("a new session started").isFalse();
        assertThat(ConnectionState.REFUSED.agreesWith("close")).isFalse();
    }

    @Test
    void aDifferentOrUnknownRecordDisagrees() {
        assertThat(ConnectionState.CLOSE.agreesWith("open")).isFalse();
        assertThat(ConnectionState.CONNECTING.agreesWith(null)).as("nothing recorded yet").isFalse();
    }
}
