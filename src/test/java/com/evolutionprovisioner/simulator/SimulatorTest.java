package com.evolutionprovisioner.simulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the simulator's own tests share: one simulator per test class, reset after each test, a plain HTTP client for
 * it, and the receiver a test starts when it makes the simulator deliver webhooks.
 */
abstract class SimulatorTest {

    static final String KEY = "test-global-key";

    static EvolutionApiSimulator simulator;
    static SimulatorHttp http;

    /** Started by the tests that need deliveries received; closed after each test. */
    RecordingReceiver receiver;

    @BeforeAll
    static void startSimulator() {
        simulator = EvolutionApiSimulator.start(0, KEY);
        http = new SimulatorHttp(simulator);
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    @AfterEach
    void resetSimulator() {
        simulator.reset();
        if (receiver != null) {
            receiver.close();
            receiver = null;
        }
    }
}
