package com.evolutionprovisioner.provisioning.entity;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/**
 * What a queue row asks the workers to do for its user: create the instance, delete it with the user's data, or move
 * a never-paired instance off a draining Evolution server (delete it there; the row then provisions it again
 * elsewhere). A row moves from provision to relocate and back, and from either to deprovision for good; a
 * deprovisioned user's row is deleted with their profile.
 */
public enum QueueOperation {
    PROVISION, DEPROVISION, RELOCATE;

    public String dbValue() {
        return name().toLowerCase();
    }

    /** Maps to the lower-case values of the column's CHECK constraint. */
    @Converter(autoApply = true)
    public static class DbConverter implements AttributeConverter<QueueOperation, String> {
        @Override
        public String convertToDatabaseColumn(QueueOperation operation) {
            return operation == null ? null : operation.dbValue();
        }

        @Override
        public QueueOperation convertToEntityAttribute(String value) {
            return value == null ? null : QueueOperation.valueOf(value.toUpperCase());
        }
    }
}
