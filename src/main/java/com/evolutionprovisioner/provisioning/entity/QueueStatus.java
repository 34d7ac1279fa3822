package com.evolutionprovisioner.provisioning.entity;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** The life of a queue row: pending → processing → completed | failed (failed rows can be re-queued). */
public enum QueueStatus {
    PENDING, PROCESSING, COMPLETED, FAILED;

    public String dbValue() {
        return name().toLowerCase();
    }

    /** Maps to the lower-case values the table's CHECK constraint and the seed's SQL use. */
    @Converter(autoApply = true)
    public static class DbConverter implements AttributeConverter<QueueStatus, String> {
        @Override
        public String convertToDatabaseColumn(QueueStatus status) {
            return status == null ? null : status.dbValue();
        }

        @Override
        public QueueStatus convertToEntityAttribute(String value) {
            return value == null ? null : QueueStatus.valueOf(value.toUpperCase());
        }
    }
}
