package com.evolutionprovisioner.testsupport;

import com.evolutionprovisioner.simulator.EvolutionApiSimulator;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class run against the built WAR on its own Payara Micro (started by Arquillian), with the shared real
 * PostgreSQL, Artemis and simulator, a client for the API, and a simulator reset to a healthy v2.1 before each test.
 */
@ExtendWith(ArquillianExtension.class)
public abstract class DeployedServiceTest {

    protected TestEnvironment.Running env;
    protected Api api;
    protected Users users;
    protected EvolutionApiSimulator simulator;

    @Deployment(testable = false)
    public static WebArchive application() {
        return Deployments.application();
    }

    @BeforeEach
    void connectToTheService() throws Exception {
        env = TestEnvironment.get();
        api = new Api(env.publicBaseUrl());
        users = new Users(api, env);
        simulator = env.simulator();
        simulator.reset();
    }
}
