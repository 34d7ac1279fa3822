package com.evolutionprovisioner.evolution.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionException.Kind;
import com.evolutionprovisioner.evolution.entity.EvolutionResponse;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.evolution.entity.InstanceRemoval;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code DELETE /instance/delete/{name}} as a typed result: accepted, already gone, or refused. */
class EvolutionClientDeleteTest {

    private static final InstanceName NAME = new InstanceName("evp-0001");

    private final List<String> requests = new ArrayList<>();

    @Test
    void aSuccessIsARequestedRemoval() {
        assertThat(clientAnswering(200, "{\"status\":\"SUCCESS\",\"error\":false,\"response\":{\"message\":\"Instance deleted\"}}")
                .delete(NAME)).isEqualTo(InstanceRemoval.REQUESTED);
        assertThat(requests).containsExactly("DELETE /instance/delete/evp-0001");
    }

    @Test
    void a404IsAnInstanceAlreadyGone() {
        assertThat(clientAnswering(404, "{\"status\":404,\"error\":\"Not Found\",\"response\":{\"message\":[\"The \\\"evp-0001\\\" instance does not exist\"]}}")
                .delete(NAME)).isEqualTo(InstanceRemoval.ALREADY_GONE);
    }

    @Test
    void anotherRefusalIsRejected() {
        assertThatThrownBy(() -> clientAnswering(400, "{\"status\":400,\"error\":\"Bad Request\"}").delete(NAME))
                .isInstanceOfSatisfying(EvolutionException.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(Kind.REJECTED);
                    assertThat(failure.getMessage()).startsWith("delete evp-0001: HTTP 400");
                });
    }

    private EvolutionClient clientAnswering(int status, String body) {
        EvolutionClient client = new EvolutionClient();
        client.transport = new EvolutionTransport() {
            @Override
            public EvolutionResponse exchange(InstanceName instance, String method, String path, Map<String, String> query,
                                              JsonObject requestBody) {
                requests.add(method + " " + path);
                return new EvolutionResponse(status, body);
            }
        };
        return client;
    }
}
