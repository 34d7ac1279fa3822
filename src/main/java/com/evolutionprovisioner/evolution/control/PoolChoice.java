package com.evolutionprovisioner.evolution.control;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The placement rule, as a pure function: the server with the most free capacity (capacity minus instances placed
 * there); ties go to the lowest recent failure rate, then to the name, so that every node chooses alike. A server
 * this node deems unhealthy (circuit open, or its last calls failed) is chosen only when no healthy server has
 * room: a new user would otherwise wait out its outage while another server could serve them now.
 */
final class PoolChoice {

    /** An active server as placement sees it; {@code recentFailureRate} and {@code unhealthy} are this node's view. */
    record Candidate(String server, int capacity, long placed, double recentFailureRate, boolean unhealthy) {
        long free() {
            return capacity - placed;
        }
    }

    private static final Comparator<Candidate> BEST_FIRST = Comparator.comparing(Candidate::unhealthy)
            .thenComparing(Comparator.comparingLong(Candidate::free).reversed())
            .thenComparingDouble(Candidate::recentFailureRate)
            .thenComparing(Candidate::server);

    private PoolChoice() {
    }

    /** The server to place the next instance on, or empty when none has free capacity. */
    static Optional<String> choose(List<Candidate> candidates) {
        return candidates.stream().filter(candidate -> candidate.free() > 0).min(BEST_FIRST).map(Candidate::server);
    }
}
