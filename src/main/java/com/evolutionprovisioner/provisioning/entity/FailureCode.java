package com.evolutionprovisioner.provisioning.entity;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/**
 * Why an attempt failed, in the words a user may see: coarse and stable, never internal text. The detail
 * (Evolution's answer, the exception) stays in the queue's last_error, for operators and the service role.
 */
public enum FailureCode {
    /** Evolution did not answer in time, answered 5xx, or its circuit is open: it will be tried again. */
    EVOLUTION_UNAVAILABLE,
    /** Evolution refused the request (a 4xx, an unconfirmed webhook): an operator has to look. */
    EVOLUTION_REJECTED,
    /** Evolution API is not activated: its operator has to enter a licence. */
    LICENCE_REQUIRED,
    /**
     * No active Evolution server has room for another instance: the user waits, pending, with no attempt spent, and is
     * placed once capacity is added (not an attempt's failure, so {@link #of} never maps to it).
     */
    NO_CAPACITY,
    /** Our own failure: a bug, the database, a worker that stopped mid-attempt. */
    INTERNAL;

    public String dbValue() {
        return name().toLowerCase();
    }

    public static FailureCode of(RuntimeException failure) {
        if (!(failure instanceof EvolutionException evolution)) {
            return INTERNAL;
        }
        return switch (evolution.kind()) {
            // an instance Evolution lost, still missing after re-creating it: Evolution is in flux, not refusing
            case UNAVAILABLE, INSTANCE_MISSING -> EVOLUTION_UNAVAILABLE;
            case REJECTED -> EVOLUTION_REJECTED;
            case LICENCE_REQUIRED -> LICENCE_REQUIRED;
        };
    }

    /** Maps to the lower-case values of the column's CHECK constraint. */
    @Converter(autoApply = true)
    public static class DbConverter implements AttributeConverter<FailureCode, String> {
        @Override
        public String convertToDatabaseColumn(FailureCode code) {
            return code == null ? null : code.dbValue();
        }

        @Override
        public FailureCode convertToEntityAttribute(String value) {
            return value == null ? null : FailureCode.valueOf(value.toUpperCase());
        }
    }
}
