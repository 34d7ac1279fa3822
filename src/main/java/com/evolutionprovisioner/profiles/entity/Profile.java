package com.evolutionprovisioner.profiles.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A signed-up user; its id is the auth user id. Inserted through SQL so that repeats are harmless. */
@Entity
@Table(name = "profiles")
public class Profile {

    @Id
    private UUID id;

    private String email;

    @Column(name = "full_name")
    private String fullName;

    @Column(name = "created_at", insertable = false, updatable = false)
    private OffsetDateTime createdAt;

    protected Profile() {
    }

    public UUID getId() {
        return id;
    }

    public String getEmail() {
        return email;
    }

    public String getFullName() {
        return fullName;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }
}
