package com.evolutionprovisioner.provisioning.entity;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import org.junit.jupiter.api.Test;

class FailureCodeTest {

    @Test
    void anEvolutionOutageIsEvolutionUnavailable() {
        assertThat(FailureCode.of(EvolutionException.unavailable("GET /instance/fetchInstances timed out", null)))
                .isEqualTo(FailureCode.EVOLUTION_UNAVAILABLE);
    }

    @Test
    void aRefusalIsEvolutionRejected() {
        assertThat(FailureCode.of(EvolutionException.rejected("create instance evp-1: HTTP 400: bad request")))
                .isEqualTo(FailureCode.EVOLUTION_REJECTED);
    }

    @Test
    void theLicenceGateIsLicenceRequired() {
        assertThat(FailureCode.of(EvolutionException.licenceRequired("Evolution API is not activated: HTTP 503")))
                .isEqualTo(FailureCode.LICENCE_REQUIRED);
    }

    @Test
    void anInstanceStillMissingAfterReconcilingIsEvolutionUnavailable() {
        assertThat(FailureCode.of(EvolutionException.instanceMissing("webhook/find evp-1: HTTP 404")))
                .isEqualTo(FailureCode.EVOLUTION_UNAVAILABLE);
    }

    @Test
    void anythingElseIsInternal() {
        assertThat(FailureCode.of(new IllegalStateException("NullPointerException in our code")))
                .isEqualTo(FailureCode.INTERNAL);
    }

    @Test
    void codesAreTheLowerCaseWordsUsersSee() {
        assertThat(FailureCode.LICENCE_REQUIRED.dbValue()).isEqualTo("licence_required");
        assertThat(new FailureCode.DbConverter().convertToEntityAttribute("evolution_unavailable"))
                .isEqualTo(FailureCode.EVOLUTION_UNAVAILABLE);
    }
}
