package com.evolutionprovisioner.webhooks.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageChangeTest {

    @Test
    void changesOfDistinctMessagesGoInOneStatementInLockOrder() {
        MessageChange b = message("inst-1", "B");
        MessageChange a = message("inst-1", "A");
        MessageChange other = message("inst-0", "Z");

        assertThat(MessageChange.rounds(List.of(b, a, other))).containsExactly(List.of(other, a, b));
    }

    @Test
    void theKthChangeOfAMessageGoesInTheKthStatementSoTheyApplyInEventOrder() {
        MessageChange update = update("inst-1", "A", "READ");
        MessageChange upsert = message("inst-1", "A");
        MessageChange otherUpsert = message("inst-1", "B");
        MessageChange secondUpdate = update("inst-1", "A", "PLAYED");

        // Round 1: B's message, then A's first update; round 2: A's message; round 3: A's second update.
        assertThat(MessageChange.rounds(List.of(update, upsert, otherUpsert, secondUpdate)))
                .containsExactly(List.of(otherUpsert), List.of(update), List.of(upsert), List.of(secondUpdate));
    }

    @Test
    void messagesAndUpdatesOfOneRoundGoInSeparateStatementsMessagesFirst() {
        MessageChange update = update("inst-1", "A", "READ");
        MessageChange upsert = message("inst-1", "B");

        assertThat(MessageChange.rounds(List.of(update, upsert))).containsExactly(List.of(upsert), List.of(update));
    }

    @Test
    void theSameMessageIdOfTwoInstancesIsTwoMessages() {
        MessageChange first = message("inst-1", "A");
        MessageChange second = message("inst-2", "A");

        assertThat(MessageChange.rounds(List.of(second, first))).containsExactly(List.of(first, second));
    }

    @Test
    void noChangeNoStatement() {
        assertThat(MessageChange.rounds(List.of())).isEmpty();
    }

    @Test
    void anUpsertIsTheMessageWithItsIdentityInDataKey() {
        JsonObject data = Json.createObjectBuilder()
                .add("key", Json.createObjectBuilder().add("id", "M1").add("remoteJid", "1@s.whatsapp.net").add("fromMe", true))
                .add("status", "server_ack").add("messageType", "conversation").add("messageTimestamp", "1764300000").build();

        assertThat(WebhookEventApplier.messageChange("inst-1", "messages.upsert", data)).contains(new MessageChange(
                "inst-1", "M1", "1@s.whatsapp.net", "outbound", "server_ack", 2, "conversation", 1764300000L, true));
    }

    @Test
    void anUpdateCarriesItsIdentityInDataAndOnlyMovesTheStatus() {
        JsonObject data = Json.createObjectBuilder().add("keyId", "M1").add("remoteJid", "1@s.whatsapp.net")
                .add("status", "READ").add("messageTimestamp", 1764300001).build();

        assertThat(WebhookEventApplier.messageChange("inst-1", "messages.update", data)).contains(new MessageChange(
                "inst-1", "M1", "1@s.whatsapp.net", "inbound", "READ", 4, null, 1764300001L, false));
    }

    @Test
    void aSentMessageIsOutboundAndAnUnknownStatusRanksZero() {
        JsonObject data = Json.createObjectBuilder().add("key", Json.createObjectBuilder().add("id", "M2"))
                .add("status", "SOMETHING_NEW").add("messageTimestamp", "not a number").build();

        assertThat(WebhookEventApplier.messageChange("inst-1", "send.message", data)).contains(new MessageChange(
                "inst-1", "M2", null, "outbound", "SOMETHING_NEW", 0, null, null, true));
    }

    @Test
    void aMessageEventWithoutAnIdChangesNoMessage() {
        JsonObject data = Json.createObjectBuilder().add("status", "READ").build();

        assertThat(WebhookEventApplier.messageChange("inst-1", "messages.upsert", data)).isEmpty();
        assertThat(WebhookEventApplier.messageChange("inst-1", "messages.update", data)).isEmpty();
    }

    private static MessageChange message(String instance, String id) {
        return new MessageChange(instance, id, null, "inbound", "SERVER_ACK", 2, null, null, true);
    }

    private static MessageChange update(String instance, String id, String status) {
        return new MessageChange(instance, id, null, "inbound", status, WebhookEventApplier.STATUS_RANK.get(status), null, null, false);
    }
}
