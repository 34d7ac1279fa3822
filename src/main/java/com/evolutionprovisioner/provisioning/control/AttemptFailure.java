package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.EvolutionException.Kind;
import com.evolutionprovisioner.provisioning.entity.FailureCode;

/**
 * How a failed attempt of any queue operation counts, by the rules of creation: only a definitive refusal (Evolution
 * rejected the request, or its licence gate answered) counts against QUEUE_MAX_ATTEMPTS; an Evolution (or database)
 * that is unavailable is not the user's fault, so the attempt backs off uncounted until QUEUE_UNAVAILABLE_GIVE_UP.
 */
public record AttemptFailure(String reason, FailureCode code, boolean definitive) {

    public static AttemptFailure of(RuntimeException failure) {
        String reason = failure instanceof EvolutionException ? failure.getMessage()
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        boolean definitive = failure instanceof EvolutionException evolution
                && (evolution.kind() == Kind.REJECTED || evolution.kind() == Kind.LICENCE_REQUIRED);
        return new AttemptFailure(reason, FailureCode.of(failure), definitive);
    }
}
