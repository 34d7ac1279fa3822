package com.evolutionprovisioner.provisioning.entity;

import com.evolutionprovisioner.security.SecretCipher;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores a secret column encrypted (see {@link SecretCipher}); the entity only ever sees plain text. */
@Converter
public class EncryptedText implements AttributeConverter<String, String> {

    private final SecretCipher cipher = SecretCipher.configured();

    @Override
    public String convertToDatabaseColumn(String plain) {
        return cipher.encrypt(plain);
    }

    @Override
    public String convertToEntityAttribute(String stored) {
        return cipher.decrypt(stored);
    }
}
