package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.platform.ApiException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SignupRulesFilterTest {

    private final UserId user = new UserId(UUID.randomUUID());

    @Test
    void anAuthenticatedUserMaySignUp() {
        assertThatCode(() -> rules("authenticated", false).check(new Caller(user, "authenticated"), "POST /profiles"))
                .doesNotThrowAnyException();
    }

    @Test
    void anAnonymousSignInIsRefusedUnlessAllowed() {
        Caller anonymous = new Caller(user, "authenticated", true);

        assertThatThrownBy(() -> rules("authenticated", false).check(anonymous, "POST /profiles"))
                .isInstanceOfSatisfying(ApiException.class, refused -> {
                    assertThat(refused.status().getStatusCode()).isEqualTo(403);
                    assertThat(refused.toBody().error()).isEqualTo("anonymous_user");
                });
        assertThatCode(() -> rules("authenticated", true).check(anonymous, "POST /profiles")).doesNotThrowAnyException();
    }

    @Test
    void anotherRoleIsRefusedUnlessAnyRoleIsAllowed() {
        for (String role : new String[] {"anon", null}) {
            Caller caller = new Caller(user, role);
            assertThatThrownBy(() -> rules("authenticated", false).check(caller, "POST /instances"))
                    .as(role)
                    .isInstanceOfSatisfying(ApiException.class, refused -> {
                        assertThat(refused.status().getStatusCode()).isEqualTo(403);
                        assertThat(refused.toBody().error()).isEqualTo("role_not_allowed");
                    });
            assertThatCode(() -> rules("*", false).check(caller, "POST /instances")).doesNotThrowAnyException();
        }
    }

    @Test
    void theServiceRoleAlwaysMay() {
        assertThatCode(() -> rules("authenticated", false).check(new Caller(null, Caller.SERVICE_ROLE, true), "POST /profiles"))
                .doesNotThrowAnyException();
    }

    private static SignupRulesFilter rules(String requiredRole, boolean allowAnonymous) {
        SignupRulesFilter filter = new SignupRulesFilter();
        filter.requiredRole = requiredRole;
        filter.allowAnonymous = allowAnonymous;
        return filter;
    }
}
