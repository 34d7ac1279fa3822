package com.evolutionprovisioner.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;

/**
 * One Evolution instance in memory: its database row, its webhook row, and its WhatsApp session as the Baileys
 * service keeps it (state, QR codes, pairing). Not thread-safe: {@link SimulatedEvolution} guards it.
 */
final class SimulatedInstance {

    /** Baileys' bytesToCrockford alphabet: pairing codes are 5 random bytes in these 32 characters. */
    private static final String CROCKFORD = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";
    private static final String CLIENT_NAME = "evolution_exchange";
    private static final SecureRandom RANDOM = new SecureRandom();

    final String id = UUID.randomUUID().toString();
    final String createdAt = now();
    final String name;
    final String integration;
    final String token;
    final String number;
    final JsonObject settings;
    /** open, connecting or close: Evolution's in-memory connection state. */
    String state = "close";
    /** The paired WhatsApp JID; deliveries send it as "sender". Logout does not clear it, as in Evolution. */
    String ownerJid;
    WebhookRow webhook;

    /** QR codes shown; only the QR limit (and a restart of Evolution) sets it back to 0, pairing and logout do not. */
    private int qrCount;
    /** instance.qrCode as connect answers it; after the QR limit Evolution leaves only {count: 0}. */
    private JsonObject qrCode = Json.createObjectBuilder().add("count", 0).build();
    /** The number a session was started with; each QR then also gets a pairing code. */
    private String phoneNumber;

    SimulatedInstance(String name, String integration, String token, String number, JsonObject settings) {
        this.name = name;
        this.integration = integration;
        this.token = token;
        this.number = number;
        this.settings = settings;
    }

    /** A new Baileys socket ({@code connectToWhatsapp(number)}): it shows its first QR code; see {@link #nextQr(int)}. */
    boolean startSession(String phoneNumber, int qrCodeLimit) {
        this.phoneNumber = phoneNumber;
        state = "connecting";
        return nextQr(qrCodeLimit);
    }

    /**
     * WhatsApp sends the session a new QR code. Returns false when the session has used up its {@code qrCodeLimit}
     * codes instead: Evolution then ends it (monitor.service.ts, no.connection), back to {@code close} with the count
     * at 0. Each shown code gets a new pairing code when the session has a phone number.
     */
    boolean nextQr(int qrCodeLimit) {
        if (qrCount >= qrCodeLimit) {
            qrCount = 0;
            qrCode = Json.createObjectBuilder().add("count", 0).build();
            state = "close";
            return false;
        }
        qrCount++;
        String code = baileysQrText();
        qrCode = Json.createObjectBuilder()
                .add("pairingCode", phoneNumber == null ? JsonValue.NULL : Json.createValue(pairingCode()))
                .add("code", code)
                .add("base64", "data:image/png;base64," + pictureOf(code))
                .add("count", qrCount)
                .build();
        return true;
    }

    /**
     * A real PNG that differs with the code, as Evolution's picture of each new code does (a service that compared
     * pictures would otherwise see no change): 16x16 pixels drawn from the code's hash, not a scannable QR code.
     */
    static String pictureOf(String code) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(code.getBytes(UTF_8));
            BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_BINARY);
            for (int bit = 0; bit < 256; bit++) {
                boolean dark = (hash[bit / 8] >> (bit % 8) & 1) == 1;
                image.setRGB(bit % 16, bit / 16, dark ? 0x000000 : 0xFFFFFF);
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            return Base64.getEncoder().encodeToString(png.toByteArray());
        } catch (NoSuchAlgorithmException | IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** The current QR code, in connect's shape {pairingCode, code, base64, count}. */
    JsonObject qrCode() {
        return qrCode;
    }

    /** The phone scanned the code (or typed the pairing code). */
    void pair(String wuid) {
        state = "open";
        ownerJid = wuid;
    }

    /** logoutInstance(): the session ends; the wuid and the QR count stay. */
    void logout() {
        state = "close";
    }

    /** The webhook as a delivery sees it, or null when none is stored. */
    WebhookSender.Target target() {
        WebhookRow row = webhook;
        return row == null ? null : new WebhookSender.Target(name, id, token, ownerJid, row.url, row.headers,
                row.enabled, row.events, row.byEvents);
    }

    /** The Prisma row fetchInstances returns in 2.x, with its relations. */
    JsonObject toFetchJson() {
        return Json.createObjectBuilder()
                .add("id", id)
                .add("name", name)
                .add("connectionStatus", state)
                .add("ownerJid", nullable(ownerJid))
                .addNull("profileName")
                .addNull("profilePicUrl")
                .add("integration", integration)
                .add("number", nullable(number))
                .addNull("businessId")
                .add("token", token)
                .add("clientName", CLIENT_NAME)
                .addNull("disconnectionReasonCode")
                .addNull("disconnectionObject")
                .addNull("disconnectionAt")
                .add("createdAt", createdAt)
                .add("updatedAt", createdAt)
                .addNull("Chatwoot")
                .addNull("Proxy")
                .addNull("Rabbitmq")
                .addNull("Nats")
                .addNull("Sqs")
                .addNull("Websocket")
                .add("Setting", Json.createObjectBuilder(settings).add("instanceId", id))
                .add("_count", Json.createObjectBuilder().add("Message", 0).add("Contact", 0).add("Chat", 0))
                .build();
    }

    /**
     * What 1.8.2's monitor.service.ts instanceInfo() lists: the profile fields only while open, and serverUrl, apikey
     * and integration because 1.x's sample config sets EXPOSE_IN_FETCH_INSTANCES (chatwoot, unset, is left out).
     */
    JsonObject toV1FetchJson(String serverUrl) {
        JsonObjectBuilder described = Json.createObjectBuilder().add("instanceName", name).add("instanceId", id);
        if (state.equals("open")) {
            described.add("owner", nullable(ownerJid))
                    .add("profileName", "not loaded")
                    .addNull("profilePictureUrl")
                    .add("profileStatus", "");
        }
        return Json.createObjectBuilder()
                .add("instance", described
                        .add("status", state)
                        .add("serverUrl", serverUrl)
                        .add("apikey", token)
                        .add("integration", Json.createObjectBuilder()
                                .add("integration", integration)
                                .add("number", number == null ? "" : number)
                                .add("token", "")
                                .add("webhook_wa_business", serverUrl + "/webhook/whatsapp/" + URLEncoder.encode(name, UTF_8))))
                .build();
    }

    /** Baileys' QR text: the server's ref, then the noise key, identity key and adv secret, in base64. */
    private static String baileysQrText() {
        return String.join(",", "2@" + randomBase64(18), randomBase64(32), randomBase64(32), randomBase64(32));
    }

    private static String pairingCode() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            code.append(CROCKFORD.charAt(RANDOM.nextInt(CROCKFORD.length())));
        }
        return code.toString();
    }

    private static String randomBase64(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    static JsonValue nullable(String value) {
        return value == null ? JsonValue.NULL : Json.createValue(value);
    }

    /** The instance's webhook row (Prisma model Webhook). */
    static final class WebhookRow {
        final String id = cuid();
        final String createdAt = now();
        String updatedAt;
        String url;
        JsonObject headers;
        boolean enabled;
        List<String> events = List.of();
        boolean byEvents;
        boolean base64;

        JsonObject toJson(String instanceId) {
            return Json.createObjectBuilder()
                    .add("id", id)
                    .add("url", url)
                    .add("headers", headers == null ? JsonValue.NULL : headers)
                    .add("enabled", enabled)
                    .add("events", Json.createArrayBuilder(events))
                    .add("webhookByEvents", byEvents)
                    .add("webhookBase64", base64)
                    .add("createdAt", createdAt)
                    .add("updatedAt", updatedAt)
                    .add("instanceId", instanceId)
                    .build();
        }

        /** Prisma's default id for webhook rows is a cuid: "c" and 24 lower-case letters or digits. */
        private static String cuid() {
            StringBuilder id = new StringBuilder("c");
            for (int i = 0; i < 24; i++) {
                id.append(Character.forDigit(RANDOM.nextInt(36), 36));
            }
            return id.toString();
        }
    }
}
