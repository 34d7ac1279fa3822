package com.evolutionprovisioner.provisioning.entity;

import com.evolutionprovisioner.evolution.entity.ConnectionState;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.security.SecretCipher;
import com.evolutionprovisioner.security.SecretLocation;
import com.evolutionprovisioner.security.SecretReencryption;
import com.evolutionprovisioner.security.UnreadableSecretException;
import com.evolutionprovisioner.security.UserId;
import jakarta.persistence.Column;
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
 * Evolution created it still leaves us the name and webhook key needed to reconcile it. Its secrets (webhook keys,
 * Evolution token) are held as stored, encrypted for their row and column: the methods that read or write them
 * take the {@link SecretCipher}.
 */
@Entity
@Table(name = "evolution_instances")
public class EvolutionInstance {

    public static final String WEBHOOK_KEY = "webhook_key";
    public static final String PREVIOUS_WEBHOOK_KEY = "previous_webhook_key";
    public static final String INSTANCE_TOKEN = "instance_token";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "user_id", updatable = false)
    private UUID userId;

    @Column(name = "instance_name")
    private String instanceName;

    @Column(name = "evolution_instance_id")
    private String evolutionInstanceId;

    @Column(name = INSTANCE_TOKEN)
    private String instanceToken;

    @Column(name = "webhook_url")
    private String webhookUrl;

    @Column(name = "webhook_events")
    private String webhookEvents;

    @Column(name = WEBHOOK_KEY)
    private String webhookKey;

    @Column(name = "webhook_auth")
    private String webhookAuth;

    @Column(name = PREVIOUS_WEBHOOK_KEY)
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

    /** When we last read the state from Evolution itself (not from a delivery), on our clock. */
    @Column(name = "connection_observed_at")
    private OffsetDateTime connectionObservedAt;

    @Column(name = "qr_code")
    private String qrCode;

    @Column(name = "qr_code_updated_at")
    private OffsetDateTime qrCodeUpdatedAt;

    @Column(name = "qr_code_count")
    private int qrCodeCount;

    @Column(name = "webhook_verified_at")
    private OffsetDateTime webhookVerifiedAt;

    // Written by single UPDATE statements of InstanceRegistry only (the state check's claim, message traffic, the
    // quiet rule), never by saving this entity, so that a save cannot put back an older value.
    @Column(name = "state_checked_at", insertable = false, updatable = false)
    private OffsetDateTime stateCheckedAt;

    @Column(name = "last_traffic_at", insertable = false, updatable = false)
    private OffsetDateTime lastTrafficAt;

    @Column(name = "quiet_since", insertable = false, updatable = false)
    private OffsetDateTime quietSince;

    @Column(name = "created_at", insertable = false, updatable = false)
    private OffsetDateTime createdAt;

    @Column(name = "updated_at")
    private OffsetDateTime updatedAt;

    protected EvolutionInstance() {
    }

    public EvolutionInstance(UserId userId, InstanceName name, String webhookKey, SecretCipher secrets) {
        this.userId = userId.value();
        this.instanceName = name.value();
        this.webhookKey = secrets.encrypt(webhookKey, secretLocation(userId, WEBHOOK_KEY));
        this.updatedAt = OffsetDateTime.now();
    }

    /**
     * Where a secret column of a user's row is stored: the additional data its value is encrypted with. It must never
     * change, or every stored value becomes unreadable: the table, the column and the user id in UUID text form.
     */
    public static SecretLocation secretLocation(UserId userId, String column) {
        return new SecretLocation("evolution_instances", column, "user_id", userId.value().toString());
    }

    public void recordEvolutionIdentity(String evolutionInstanceId, String instanceToken, SecretCipher secrets) {
        if (evolutionInstanceId != null) {
            this.evolutionInstanceId = evolutionInstanceId;
        }
        if (instanceToken != null) {
            this.instanceToken = secrets.encrypt(instanceToken, secretLocation(INSTANCE_TOKEN));
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

    /**
     * A new webhook key; the old one stays valid for a grace period until Evolution has the new one. An old key
     * that cannot be read gets no grace: this rotation is how an operator replaces it.
     */
    public void rotateWebhookKey(String newKey, SecretCipher secrets) {
        String oldKey;
        try {
            oldKey = webhookKey(secrets);
        } catch (UnreadableSecretException unreadable) {
            oldKey = null;
        }
        this.previousWebhookKey = secrets.encrypt(oldKey, secretLocation(PREVIOUS_WEBHOOK_KEY));
        this.webhookKey = secrets.encrypt(newKey, secretLocation(WEBHOOK_KEY));
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
        // configuring ends with a read-back: the drift check need not come back before WEBHOOK_VERIFY_INTERVAL
        this.webhookVerifiedAt = OffsetDateTime.now();
        touch();
    }

    /** Connect showed a QR code: the session is waiting for the phone, and has shown {@code count} codes so far. */
    public void recordQrCode(String qrDataUrl, int count) {
        this.qrCode = qrDataUrl;
        this.qrCodeUpdatedAt = OffsetDateTime.now();
        this.qrCodeCount = count;
        recordState(ConnectionState.CONNECTING);
    }

    /**
     * Evolution reported the instance {@code open} or {@code close}: any QR session is over, its code worthless.
     * A {@code connecting} report keeps the code we hold.
     */
    public void recordConnectionState(ConnectionState state) {
        if (state != ConnectionState.CONNECTING) {
            this.qrCode = null;
            this.qrCodeUpdatedAt = OffsetDateTime.now();
            this.qrCodeCount = 0;
        }
        recordState(state);
    }

    /**
     * Whether the last QR session ended because nobody scanned within Evolution's QRCODE_LIMIT codes: Evolution's
     * {@code refused} delivery said so, or the last code connect showed was the last one allowed.
     */
    public boolean qrSessionRefused(int qrCodeLimit) {
        return ConnectionState.REFUSED.wireName().equals(connectionState) || qrCodeCount >= qrCodeLimit;
    }

    /** The webhook was read back from Evolution now (and repaired if it had to be). */
    public void recordWebhookVerified() {
        this.webhookVerifiedAt = OffsetDateTime.now();
    }

    /** A state read from Evolution itself: deliveries received before now no longer change it. */
    private void recordState(ConnectionState state) {
        this.connectionState = state.wireName();
        this.connectionUpdatedAt = OffsetDateTime.now();
        this.connectionObservedAt = this.connectionUpdatedAt;
        touch();
    }

    /** Rewrites each stored secret of this row as the pass says (under the current key; unreadable ones kept). */
    public void reencryptSecrets(SecretReencryption pass) {
        this.webhookKey = pass.reencrypt(webhookKey, secretLocation(WEBHOOK_KEY));
        this.previousWebhookKey = pass.reencrypt(previousWebhookKey, secretLocation(PREVIOUS_WEBHOOK_KEY));
        this.instanceToken = pass.reencrypt(instanceToken, secretLocation(INSTANCE_TOKEN));
    }

    private void touch() {
        this.updatedAt = OffsetDateTime.now();
    }

    private SecretLocation secretLocation(String column) {
        return secretLocation(getUserId(), column);
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

    /** @throws UnreadableSecretException when the stored key cannot be decrypted for this row */
    public String webhookKey(SecretCipher secrets) {
        return secrets.decrypt(webhookKey, secretLocation(WEBHOOK_KEY));
    }

    public WebhookAuth getWebhookAuth() {
        return WebhookAuth.of(webhookAuth);
    }

    /** @throws UnreadableSecretException when the stored key cannot be decrypted for this row */
    public String previousWebhookKey(SecretCipher secrets) {
        return secrets.decrypt(previousWebhookKey, secretLocation(PREVIOUS_WEBHOOK_KEY));
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

    /** When our record of the connection state last changed (our clock or the database's). */
    public OffsetDateTime getConnectionUpdatedAt() {
        return connectionUpdatedAt;
    }

    public OffsetDateTime getStateCheckedAt() {
        return stateCheckedAt;
    }

    /** When we last received a message event of the instance (at most a minute behind). */
    public OffsetDateTime getLastTrafficAt() {
        return lastTrafficAt;
    }

    /** Since when the instance is flagged quiet: open, yet silent for INSTANCE_QUIET_AFTER; null when not. */
    public OffsetDateTime getQuietSince() {
        return quietSince;
    }

    public String getQrCode() {
        return qrCode;
    }

    public OffsetDateTime getQrCodeUpdatedAt() {
        return qrCodeUpdatedAt;
    }

    public int getQrCodeCount() {
        return qrCodeCount;
    }

    public OffsetDateTime getWebhookVerifiedAt() {
        return webhookVerifiedAt;
    }

    public OffsetDateTime getCreatedAt() {
        return createdAt;
    }
}
