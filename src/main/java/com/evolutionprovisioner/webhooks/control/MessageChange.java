package com.evolutionprovisioner.webhooks.control;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one message event changes in the message log, applied set-based with the other changes of its batch. A
 * statement may change a row only once, so {@link #rounds} puts the k-th change of a message in the k-th statement:
 * the log ends exactly as if the events had been applied one after another.
 *
 * @param isTheMessage the event is the message itself (an upsert or a send), the authority on what it is; an update
 *                     only moves its status
 */
record MessageChange(String instanceName, String messageId, String remoteJid, String direction, String status,
                     int statusRank, String messageType, Long epochSeconds, boolean isTheMessage) {

    /** Every statement writes its rows in this order, on every node: two batches cannot deadlock on a message. */
    static final Comparator<MessageChange> LOCK_ORDER =
            Comparator.comparing(MessageChange::instanceName).thenComparing(MessageChange::messageId);

    /**
     * Splits changes given in event order into statements to run in turn: each holds at most one change per message
     * and per kind (message or update, whose conflict rules differ), sorted in {@link #LOCK_ORDER}.
     */
    static List<List<MessageChange>> rounds(List<MessageChange> inEventOrder) {
        Map<List<String>, Integer> seen = new HashMap<>();
        List<List<MessageChange>> rounds = new ArrayList<>();
        for (MessageChange change : inEventOrder) {
            int round = seen.merge(List.of(change.instanceName(), change.messageId()), 1, Integer::sum) - 1;
            while (rounds.size() <= round) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(change);
        }
        List<List<MessageChange>> statements = new ArrayList<>();
        for (List<MessageChange> round : rounds) {
            for (boolean messages : new boolean[] {true, false}) {
                List<MessageChange> kind = round.stream().filter(change -> change.isTheMessage() == messages)
                        .sorted(LOCK_ORDER).toList();
                if (!kind.isEmpty()) {
                    statements.add(kind);
                }
            }
        }
        return statements;
    }
}
