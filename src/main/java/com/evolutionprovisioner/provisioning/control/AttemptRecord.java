package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import java.util.function.Consumer;

/**
 * The user's instance record as one provisioning attempt sees it, and what the attempt learned of it. Each change is
 * applied to the attempt's copy at once (later steps read it) and kept, to be written once with the attempt's outcome.
 */
final class AttemptRecord {

    private final EvolutionInstance seen;
    private Consumer<EvolutionInstance> learned;

    /** @param seen the record as claimed, detached: changing it writes nothing */
    AttemptRecord(EvolutionInstance seen) {
        this.seen = seen;
    }

    EvolutionInstance seen() {
        return seen;
    }

    void learn(Consumer<EvolutionInstance> change) {
        change.accept(seen);
        learned = learned == null ? change : learned.andThen(change);
    }

    boolean learnedAnything() {
        return learned != null;
    }

    /** The changes, in order, to apply to the stored record. */
    Consumer<EvolutionInstance> learned() {
        return learned == null ? record -> { } : learned;
    }
}
