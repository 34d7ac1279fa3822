package com.evolutionprovisioner.platform.work;

import java.time.Duration;
import java.util.List;

/**
 * A user of the durable work pipeline: rows in its own table, nudged through its own broker queue, worked by its own
 * code. The pipeline's shared pieces ({@link NudgeReceiver}, {@link SafetyNetRound}) drive it through these four
 * methods; each component supplies its own queries, so platform/ holds no SQL of a component's table.
 */
public interface DurableWork {

    /** For logs: which pipeline. */
    String name();

    /** Ids of rows that should have been worked at least {@code waited} ago: the ones the fast path missed. */
    List<Long> overdue(Duration waited, int limit);

    /** Nudges the rows through the broker; returns those the broker did not take (empty: all nudged). */
    List<Long> nudge(List<Long> ids, String via);

    /** Works the rows now, on this thread; a row another worker holds or that is not due is left alone. */
    void workNow(List<Long> ids, String via);
}
