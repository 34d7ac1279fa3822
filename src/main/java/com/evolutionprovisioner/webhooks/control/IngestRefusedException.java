package com.evolutionprovisioner.webhooks.control;

/** A delivery the ingestor did not take (its queue is full, or the application is stopping): answered 503. */
public class IngestRefusedException extends RuntimeException {

    public IngestRefusedException(String reason) {
        super(reason);
    }
}
