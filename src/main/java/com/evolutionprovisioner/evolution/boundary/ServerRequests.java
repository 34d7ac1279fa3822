package com.evolutionprovisioner.evolution.boundary;

import com.evolutionprovisioner.evolution.control.ServerAddress;
import com.evolutionprovisioner.evolution.entity.ServerState;
import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.platform.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the admin API and JMX accept to add or change an Evolution server, checked with Bean Validation and the base
 * URL rule; anything wrong is a 400 naming every problem (the API key is never part of a message).
 */
@ApplicationScoped
public class ServerRequests {

    static final String NAME_PATTERN = "[a-z0-9][a-z0-9-]{0,62}";
    static final String STATE_PATTERN = "active|draining|disabled";

    @Inject
    Validator validator;

    @Inject
    @ConfigProperty(name = "allow.insecure.webhook.url", defaultValue = "false")
    boolean insecureAllowed;

    @Inject
    @ConfigProperty(name = Settings.DEVELOPMENT_MODE, defaultValue = "false")
    boolean development;

    /** {@code POST /api/admin/evolution-servers}; state is optional (active). */
    public record NewServer(
            @NotNull(message = "name is required.")
            @Pattern(regexp = NAME_PATTERN, message = "name must be 1 to 63 lower-case letters, digits or hyphens, "
                    + "starting with a letter or digit.") String name,
            @NotBlank(message = "baseUrl is required.") @Size(max = 2000, message = "baseUrl is too long.") String baseUrl,
            @NotBlank(message = "apiKey is required.") @Size(max = 500, message = "apiKey is too long.") String apiKey,
            @NotNull(message = "capacity is required.") @Min(value = 0, message = "capacity must be 0 or more.") Integer capacity,
            @Pattern(regexp = STATE_PATTERN, message = "state must be active, draining or disabled.") String state) {

        @Override
        public String toString() {
            return "NewServer[name=" + name + ", baseUrl=" + baseUrl + ", capacity=" + capacity + ", state=" + state + "]";
        }
    }

    /** {@code PATCH /api/admin/evolution-servers/{name}}: capacity, state or both. */
    public record ServerChange(
            @Min(value = 0, message = "capacity must be 0 or more.") Integer capacity,
            @Pattern(regexp = STATE_PATTERN, message = "state must be active, draining or disabled.") String state) {
    }

    public record ValidServer(String name, String baseUrl, String apiKey, int capacity, ServerState state) {
        @Override
        public String toString() {
            return "ValidServer[name=" + name + ", baseUrl=" + baseUrl + ", capacity=" + capacity + ", state=" + state + "]";
        }
    }

    public record ValidChange(Integer capacity, ServerState state) {
    }

    public ValidServer validNew(NewServer request) {
        if (request == null) {
            throw ApiException.badRequest("A JSON body with name, baseUrl, apiKey and capacity is required.");
        }
        refuseViolations(validator.validate(request),
                request.baseUrl() == null || request.baseUrl().isBlank() ? Optional.empty()
                        : ServerAddress.problem(request.baseUrl(), insecureAllowed || development));
        return new ValidServer(request.name(), ServerAddress.normalized(request.baseUrl()), request.apiKey().trim(),
                request.capacity(), request.state() == null ? ServerState.ACTIVE : state(request.state()));
    }

    public ValidChange validChange(ServerChange request) {
        if (request == null || request.capacity() == null && request.state() == null) {
            throw ApiException.badRequest("A JSON body with capacity, state or both is required.");
        }
        refuseViolations(validator.validate(request), Optional.empty());
        return new ValidChange(request.capacity(), request.state() == null ? null : state(request.state()));
    }

    private static ServerState state(String value) {
        return ServerState.fromDb(value).orElseThrow();
    }

    private static <T> void refuseViolations(Set<ConstraintViolation<T>> violations, Optional<String> urlProblem) {
        String problems = java.util.stream.Stream.concat(
                        violations.stream().map(ConstraintViolation::getMessage).distinct().sorted(), urlProblem.stream())
                .collect(Collectors.joining(" "));
        if (!problems.isEmpty()) {
            throw ApiException.badRequest(problems);
        }
    }
}
