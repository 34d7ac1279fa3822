package com.evolutionprovisioner.provisioning;

import static com.evolutionprovisioner.testsupport.Users.instanceNameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.devstack.LocalMachine;
import com.evolutionprovisioner.devstack.PayaraMicroProcess;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import com.evolutionprovisioner.testsupport.Users;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Payara Micro nodes on one database and broker, started like production (RAR then WAR, no Arquillian): they
 * share the work without doubling a user, and when one is killed mid-burst the other finishes every user.
 */
class TwoNodesIT {

    private static TestEnvironment.Running env;
    private static PayaraMicroProcess nodeA;
    private static PayaraMicroProcess nodeB;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        env = TestEnvironment.get();
        int portA = LocalMachine.freePort();
        int portB = LocalMachine.freePort();
        String publicUrl = "http://127.0.0.1:" + portA;
        nodeA = PayaraMicroProcess.start(env.buildDirectory(), "node-a", portA, env.nodeSettings("node-a", publicUrl));
        nodeB = PayaraMicroProcess.start(env.buildDirectory(), "node-b", portB, env.nodeSettings("node-b", publicUrl));
        nodeA.awaitReady(Duration.ofMinutes(3));
        nodeB.awaitReady(Duration.ofMinutes(3));
    }

    @AfterAll
    static void stopNodes() throws Exception {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
    }

    @Test
    void twoNodesShareAHundredSignupsAndThenTheSurvivorOfAKillFinishesEveryUser() throws Exception {
        env.simulator().reset();
        List<UUID> firstBurst = signUpAlternating(100);
        Users viaA = new Users(new Api(nodeA.baseUrl()), env);
        for (UUID user : firstBurst) {
            viaA.awaitStatus(user, "completed", Duration.ofSeconds(120));
        }
        assertOneCreateEach(firstBurst);
        assertThat(Database.count("SELECT count(DISTINCT claimed_by) FROM evolution_instance_creation_queue "
                + "WHERE claimed_by IN ('node-a', 'node-b')")).as("both nodes worked").isEqualTo(2);

        // Slow Evolution calls keep work in flight on node B when it is killed.
        env.simulator().setLatencyMillis(400);
        List<UUID> secondBurst = signUpAlternating(60);
        await().atMost(Duration.ofSeconds(60)).until(() -> Database.count(
                "SELECT count(*) FROM evolution_instance_creation_queue WHERE status = 'processing' AND claimed_by = 'node-b'") > 0);
        nodeB.kill();
        long killedAt = System.nanoTime();
        env.simulator().setLatencyMillis(0);

        for (UUID user : secondBurst) {
            viaA.awaitStatus(user, "completed", Duration.ofSeconds(180));
        }
        System.out.printf("RECOVERY node killed -> every user of the burst completed by the survivor: %.1f s%n",
                (System.nanoTime() - killedAt) / 1e9);
        assertOneCreateEach(secondBurst);
        assertThat(Database.count("SELECT count(*) FROM evolution_instances WHERE user_id::text = ANY (string_to_array(?, ','))",
                String.join(",", secondBurst.stream().map(UUID::toString).toList()))).isEqualTo(secondBurst.size());
    }

    /** Signs users up concurrently, alternately through node A and node B. */
    private static List<UUID> signUpAlternating(int count) throws Exception {
        return Users.signUpConcurrently(count, new Users(new Api(nodeA.baseUrl()), env),
                new Users(new Api(nodeB.baseUrl()), env));
    }

    private static void assertOneCreateEach(List<UUID> users) {
        for (UUID user : users) {
            assertThat(env.simulator().createCallsFor(instanceNameOf(user))).as("create calls for " + user).isEqualTo(1);
        }
    }

}
