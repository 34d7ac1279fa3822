package com.evolutionprovisioner.provisioning.entity;

import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.security.UserId;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The Evolution instance a user owns (one per user). Recorded before Evolution is called, so that a crash after
 * Evolution created it still leaves us the name and webhook key needed to reconcile it.
 */
@Entity
@Table(name = "evolution_instances")
public class EvolutionInstance {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "user_id", updatable = false)
    private UUID userId;

    @Column(name = "instance_name")
    private String instanceName;

    @Column(name = "evolution_instance_id")
    private String evolutionInstanceId;

    @Column(name = "instance_token")
    @Convert(converter = EncryptedText.class)
    private String instanceToken;

    @Column(name = "webhook_url")
    private String webhookUrl;

    @Column(name = "webhook_events")
    private String webhookEvents;

    @Column(name = "webhook_key")
    @Convert(converter = EncryptedText.class)
    private String webhookKey;

    @Column(name = "webhook_auth")
    private String webhookAuth;

    @Column(name = "previous_webhook_key")
    @Convert(converter = EncryptedText.class)
    private String previousWebhookKey;

    @Column(name = "webhook_key_rotated_at")
    private OffsetDateTime webhookKeyRotatedAt;

    @Column(name = "webhook_configured")
    private boolean webhookConfigured;

    @Column(name = "webhook_method")
    private String webhookMethod;

    @Column(name = "connection_state")
    private String connectionState;

    @Column(name = "connection_updated_at")
    private OffsetDateTime connectionUpdatedAt;

    @Column(name = "qr_code")
    private String qrCode;

    @Column(name = "qr_code_updated_at")
    private OffsetDateTime qrCodeUpdatedAt;

    @Column(name = "created_at", insertable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "updated_at")
    private OffsetDateTime updatedAt;

    protected EvolutionInstance() {
    }

    public EvolutionInstance(UserId userId, InstanceName name, String webhookKey) {
        this.userId = userId.value();
        this.instanceName = name.value();
        this.webhookKey = webhookKey;
        this.updatedAt = OffsetDateTime.now();
    }

    public void recordEvolutionIdentity(String evolutionInstanceId, String instanceToken) {
        if (evolutionInstanceId != null) {
            this.evolutionInstanceId = evolutionInstanceId;
        }
        if (instanceToken != null) {
            this.instanceToken = instanceToken;
        }
        touch();
    }

    /**
     * Evolution said the instance does not exist: what we recorded was a belief (a create that never landed, an
     * instance deleted or lost by an Evolution restart). Forgetting it sends the next step back to adopt-or-create.
     */
    public void forgetEvolutionIdentity() {
        this.evolutionInstanceId = null;
        this.instanceToken = null;
        this.webhookConfigured = false;
        touch();
    }

    /** Takes over an instance the previous system created under another name. */
    public void adoptName(InstanceName legacyName) {
        this.instanceName = legacyName.value();
        touch();
    }

    /** A new webhook key; the old one stays valid for a grace period until Evolution has the new one. */
    public void rotateWebhookKey(String newKey) {
        this.previousWebhookKey = this.webhookKey;
        this.webhookKey = newKey;
        this.webhookKeyRotatedAt = OffsetDateTime.now();
        this.webhookConfigured = false;
        touch();
    }

    public void useWebhookAuth(WebhookAuth auth) {
        this.webhookAuth = auth.dbValue();
    }

    public void recordWebhookConfigured(String url, List<String> events, String method) {
        this.webhookUrl = url;
        this.webhookEvents = String.join(",", events);
        this.webhookMethod = method;
        this.webhookConfigured = true;
        touch();
    }

    private void touch() {
        this.updatedAt = OffsetDateTime.now();
    }

    public Long getId() {
        return id;
    }

    public UserId getUserId() {
        return new UserId(userId);
    }

    public InstanceName getInstanceName() {
        return new InstanceName(instanceName);
    }

    public String getEvolutionInstanceId() {
        return evolutionInstanceId;
    }

    public String getWebhookKey() {
        return webhookKey;
    }

    public WebhookAuth getWebhookAuth() {
        return WebhookAuth.of(webhookAuth);
    }

    public String getPreviousWebhookKey() {
        return previousWebhookKey;
    }

    public OffsetDateTime getWebhookKeyRotatedAt() {
        return webhookKeyRotatedAt;
    }

    public boolean isWebhookConfigured() {
        return webhookConfigured;
    }

    public String getWebhookMethod() {
        return webhookMethod;
    }

    public String getConnectionState() {
        return connectionState;
    }

    public String getQrCode() {
        return qrCode;
    }

    public OffsetDateTime getQrCodeUpdatedAt() {
        return qrCodeUpdatedAt;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }
}
