package com.evolutionprovisioner.evolution.entity;

import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.SecretLocation;
import com.evolutionprovisioner.security.SecretReencryption;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * One Evolution API server of the pool: where it is, its global key (held encrypted for its row), how many instances
 * it may hold, and whether it takes new ones. The methods that read or write the key take the {@link SecretCipher}.
 */
@Entity
@Table(name = "evolution_servers")
public class EvolutionServer {

    public static final String API_KEY = "api_key";
    /** The state reason the licence gate sets; an operator setting the state clears it. */
    public static final String LICENCE_REQUIRED = "licence_required";

    @Id
    @Column(name = "name")
    private String name;

    @Column(name = "base_url")
    private String baseUrl;

    @Column(name = API_KEY)
    private String apiKey;

    @Column(name = "capacity")
    private int capacity;

    @Column(name = "state")
    private String state;

    @Column(name = "state_reason")
    private String stateReason;

    @Column(name = "created_at", insertable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "updated_at")
    private OffsetDateTime updatedAt;

    protected EvolutionServer() {
    }

    public EvolutionServer(String name, String baseUrl, String apiKey, int capacity, ServerState state,
                           SecretCipher secrets) {
        this.name = name;
        this.baseUrl = baseUrl;
        this.apiKey = secrets.encrypt(apiKey, secretLocation(name));
        this.capacity = capacity;
        this.state = state.dbValue();
        this.updatedAt = OffsetDateTime.now();
    }

    /** The additional data the key is encrypted with: it must never change, or the stored key becomes unreadable. */
    public static SecretLocation secretLocation(String serverName) {
        return new SecretLocation("evolution_servers", API_KEY, "name", serverName);
    }

    public String apiKey(SecretCipher secrets) {
        return secrets.decrypt(apiKey, secretLocation(name));
    }

    /** Points this server at another address and key (the seed server, when EVOLUTION_API_* changed). */
    public void relocate(String baseUrl, String apiKey, SecretCipher secrets) {
        this.baseUrl = baseUrl;
        this.apiKey = secrets.encrypt(apiKey, secretLocation(name));
        this.updatedAt = OffsetDateTime.now();
    }

    public void reencryptKey(SecretReencryption pass) {
        this.apiKey = pass.reencrypt(apiKey, secretLocation(name));
    }

    public void changeCapacity(int capacity) {
        this.capacity = capacity;
        this.updatedAt = OffsetDateTime.now();
    }

    /** A state set by an operator: the reason of an earlier automatic change no longer applies. */
    public void changeState(ServerState state, String reason) {
        this.state = state.dbValue();
        this.stateReason = reason;
        this.updatedAt = OffsetDateTime.now();
    }

    public String getName() {
        return name;
    }

    public String getBaseUrl() {
        return baseUrl;
    }

    public int getCapacity() {
        return capacity;
    }

    public ServerState getState() {
        return ServerState.fromDb(state).orElse(ServerState.DISABLED);
    }

    public String getStateReason() {
        return stateReason;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }

    public OffsetDateTime getUpdatedAt() {
        return updatedAt;
    }
}
