package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.platform.ApiException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CallerTest {

    private final UserId ana = new UserId(UUID.randomUUID());
    private final UserId bo = new UserId(UUID.randomUUID());

    @Test
    void aUserActsForThemself() {
        Caller caller = new Caller(ana, "authenticated");

        assertThat(caller.actingFor(null)).isEqualTo(ana);
        assertThat(caller.actingFor(ana.toString())).isEqualTo(ana);
    }

    @Test
    void aUserNamingSomeoneElseGetsNotFound() {
        Caller caller = new Caller(ana, "authenticated");

        assertThatThrownBy(() -> caller.actingFor(bo.toString()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().getStatusCode()).isEqualTo(404));
    }

    @Test
    void theServiceRoleActsForTheUserItNames() {
        Caller system = new Caller(null, Caller.SERVICE_ROLE);

        assertThat(system.actingFor(bo.toString())).isEqualTo(bo);
        assertThatThrownBy(() -> system.actingFor(null)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> system.actingFor("not-a-uuid"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().getStatusCode()).isEqualTo(400));
    }

    @Test
    void onlyTheServiceRoleAdministers() {
        assertThatThrownBy(() -> new Caller(ana, "authenticated").requireServiceRole()).isInstanceOf(ApiException.class);
        new Caller(null, Caller.SERVICE_ROLE).requireServiceRole();
    }
}
