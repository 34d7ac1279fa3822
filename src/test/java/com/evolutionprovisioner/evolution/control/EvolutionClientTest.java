package com.evolutionprovisioner.evolution.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.entity.CreateOutcome;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.EvolutionVersion;
import com.evolutionprovisioner.evolution.entity.InstanceIdentity;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.WebhookSettings;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Evolution's HTTP answers to create and webhook/find, turned into typed outcomes, without a server. */
class EvolutionClientTest {

    private static final InstanceName NAME = new InstanceName("evp-a");
    private static final WebhookSettings WEBHOOK = new WebhookSettings("https://p.example/api/webhooks/evolution",
            List.of("QRCODE_UPDATED"), Map.of("jwt_key", "k"));
    private static final String CREATED = """
            {"instance":{"instanceName":"evp-a","instanceId":"5f0c-id"},"hash":"TOKEN"}""";

    private final ScriptedTransport transport = new ScriptedTransport();
    private final EvolutionClient client = new EvolutionClient();

    EvolutionClientTest() {
        client.transport = transport;
        client.schedule = new RetrySchedule(0, Duration.ZERO, 1, 0);
    }

    @Test
    void aCreateTakesTheWebhookInItsBody() {
        transport.answer(201, CREATED);

        assertThat(client.createInstance(NAME, WEBHOOK))
                .isEqualTo(CreateOutcome.created(new InstanceIdentity(NAME, "5f0c-id", "TOKEN"), true));
        assertThat(transport.bodies).hasSize(1);
        assertThat(transport.bodies.get(0)).containsKey("webhook");
    }

    @Test
    void aServerRefusingTheNestedWebhookGetsACreateWithoutIt() {
        transport.answer(400, "{\"status\":400,\"error\":\"Bad Request\",\"response\":{\"message\":[\"webhook is not of a type(s) string\"]}}");
        transport.answer(201, CREATED);

        assertThat(client.createInstance(NAME, WEBHOOK))
                .isEqualTo(CreateOutcome.created(new InstanceIdentity(NAME, "5f0c-id", "TOKEN"), false));
        assertThat(transport.bodies).hasSize(2);
        assertThat(transport.bodies.get(1)).doesNotContainKey("webhook");
    }

    @Test
    void aNameInUseMeansTheInstanceExists() {
        transport.answer(403, "{\"status\":403,\"error\":\"Forbidden\",\"response\":{\"message\":[\"This name \\\"evp-a\\\" is already in use.\"]}}");

        assertThat(client.createInstance(NAME, WEBHOOK).kind()).isEqualTo(CreateOutcome.Kind.ALREADY_EXISTS);
    }

    @Test
    void anotherRefusalIsRejectedWithEvolutionsAnswer() {
        transport.answer(401, "{\"status\":401,\"error\":\"Unauthorized\",\"response\":{\"message\":\"Unauthorized\"}}");

        CreateOutcome outcome = client.createInstance(NAME, WEBHOOK);

        assertThat(outcome.kind()).isEqualTo(CreateOutcome.Kind.REJECTED);
        assertThat(outcome.reason()).startsWith("HTTP 401").contains("Unauthorized");
    }

    @Test
    void theLicenceGateIsItsOwnOutcome() {
        transport.answer(503, "{\"error\":\"service not activated\",\"code\":\"LICENSE_REQUIRED\"}");

        assertThat(client.createInstance(NAME, WEBHOOK).kind()).isEqualTo(CreateOutcome.Kind.LICENCE_REQUIRED);
        assertThat(transport.bodies).hasSize(1);
    }

    @Test
    void anUnknownNameIsNoFetchedInstanceButAMissingOneOnWebhookFind() {
        transport.answer(404, "{\"status\":404,\"error\":\"Not Found\",\"response\":{\"message\":[\"Instance \\\"evp-a\\\" not found\"]}}");
        transport.answer(404, "{\"status\":404,\"error\":\"Not Found\",\"response\":{\"message\":[\"The \\\"evp-a\\\" instance does not exist\"]}}");

        assertThat(client.fetchInstance(NAME)).isEmpty();
        assertThatThrownBy(() -> client.findWebhook(NAME)).isInstanceOfSatisfying(EvolutionException.class,
                failure -> assertThat(failure.kind()).isEqualTo(EvolutionException.Kind.INSTANCE_MISSING));
    }

    @Test
    void noWebhookSetIsNone() {
        transport.answer(200, "null");

        assertThat(client.findWebhook(NAME)).isEmpty();
    }

    @Test
    void aServerBeforeV21GetsItsCreateWithoutTheWebhookAtOnce() {
        transport.version = EvolutionVersion.parse("2.0.10");
        transport.answer(201, CREATED);

        assertThat(client.createInstance(NAME, WEBHOOK))
                .isEqualTo(CreateOutcome.created(new InstanceIdentity(NAME, "5f0c-id", "TOKEN"), false));
        assertThat(transport.bodies).hasSize(1);
        assertThat(transport.bodies.get(0)).doesNotContainKey("webhook");
        assertThat(transport.versionRefusals).isZero();
    }

    @Test
    void aV21ServerRefusingTheNestedWebhookFallsBackAndHasItsVersionReadAgain() {
        transport.version = EvolutionVersion.parse("2.3.6");
        transport.answer(400, "{\"status\":400,\"error\":\"Bad Request\",\"response\":{\"message\":[\"webhook\"]}}");
        transport.answer(201, CREATED);

        assertThat(client.createInstance(NAME, WEBHOOK).webhookInBody()).isFalse();
        assertThat(transport.bodies).hasSize(2);
        assertThat(transport.bodies.get(0)).containsKey("webhook");
        assertThat(transport.versionRefusals).isEqualTo(1);
    }

    @Test
    void aFullBulkheadIsRetriedOnTheSchedule() {
        client.schedule = new RetrySchedule(1, Duration.ZERO, 1, 0);
        transport.fail(new ServerGuard.BulkheadFullException("full"));
        transport.answer(200, "null");

        assertThat(client.findWebhook(NAME)).isEmpty();
        assertThat(transport.exchanges).isEqualTo(2);
    }

    @Test
    void anOpenCircuitIsNotRetriedAndIsUnavailable() {
        client.schedule = new RetrySchedule(3, Duration.ZERO, 1, 0);
        transport.fail(new ServerGuard.CircuitOpenException("circuit open, Evolution server primary deemed down"));

        assertThatThrownBy(() -> client.findWebhook(NAME)).isInstanceOfSatisfying(EvolutionException.class, failure -> {
            assertThat(failure.kind()).isEqualTo(EvolutionException.Kind.UNAVAILABLE);
            assertThat(failure.getMessage()).isEqualTo("GET /webhook/find/evp-a circuit open, Evolution server primary deemed down");
        });
        assertThat(transport.exchanges).isEqualTo(1);
    }

    /** Answers each exchange with the next scripted response or failure, and keeps the bodies it was sent. */
    private static final class ScriptedTransport extends EvolutionTransport {
        private final Deque<Object> answers = new ArrayDeque<>();
        final List<JsonObject> bodies = new ArrayList<>();
        Optional<EvolutionVersion> version = Optional.empty();
        int versionRefusals;
        int exchanges;

        void answer(int status, String body) {
            answers.add(new EvolutionResponse(status, body));
        }

        void fail(RuntimeException failure) {
            answers.add(failure);
        }

        @Override
        public EvolutionResponse exchange(InstanceName instance, String method, String path, Map<String, String> query,
                                          JsonObject body) {
            exchanges++;
            if (body != null) {
                bodies.add(body);
            }
            Object answer = answers.remove();
            if (answer instanceof RuntimeException failure) {
                throw failure;
            }
            return (EvolutionResponse) answer;
        }

        /** Unknown unless a test sets it: the client then probes, as it did before versions were read. */
        @Override
        public Optional<EvolutionVersion> versionFor(InstanceName instance) {
            return version;
        }

        @Override
        public void versionRefused(InstanceName instance) {
            versionRefusals++;
        }
    }
}
