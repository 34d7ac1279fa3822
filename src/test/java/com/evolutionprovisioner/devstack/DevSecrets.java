package com.evolutionprovisioner.devstack;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * Random JWT_SECRET and SECRETS_KEY for a stack started on this machine: the WAR has no default for them and refuses
 * published values. Command 1 keeps its pair in a file of its data directory (mode 0600), so that tokens it printed and
 * the rows it encrypted stay valid across restarts; the tests make a new pair per run.
 */
public record DevSecrets(String jwtSecret, String secretsKey) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public static DevSecrets random() {
        return new DevSecrets(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(48)),
                Base64.getEncoder().encodeToString(bytes(32)));
    }

    /** The pair in {@code file}, created with a random pair, readable by this user only, when it does not exist. */
    public static DevSecrets loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            DevSecrets created = random();
            Properties properties = new Properties();
            properties.setProperty("jwt.secret", created.jwtSecret());
            properties.setProperty("secrets.key", created.secretsKey());
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (Writer out = Files.newBufferedWriter(file)) {
                    properties.store(out, "Command 1's secrets for this data directory: delete the directory, not this file alone");
                }
            } catch (FileAlreadyExistsException anotherStartWasFirst) {
                // read what it wrote
            }
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        return new DevSecrets(properties.getProperty("jwt.secret"), properties.getProperty("secrets.key"));
    }

    private static byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
