package com.evolutionprovisioner.platform.work;

import java.util.List;

/**
 * A pipeline's dead letters and their replay: a replayed row gets a fresh set of attempts and is nudged at once.
 * Each pipeline implements it on its own table; {@link DeadLettersResource} shows them all in one place.
 */
public interface DeadLetters {

    /** The pipeline's name, as {@link DeadLetter#pipeline()}. */
    String pipeline();

    long count();

    /** The oldest first, at most {@code limit}. */
    List<DeadLetter> list(int limit);

    /** Replays one dead letter; false when this pipeline has no dead letter with this id. */
    boolean replay(long id);

    /** Replays every dead letter; returns how many. */
    int replayAll();
}
