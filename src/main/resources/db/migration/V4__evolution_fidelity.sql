-- What Evolution's real behaviour needs (retries with one token, state that comes back, wrong clocks, outages).

-- An Evolution outage is not the user's fault: while it lasts, attempts are not counted; the row gives up only after
-- QUEUE_UNAVAILABLE_GIVE_UP of continuous unavailability.
ALTER TABLE evolution_instance_creation_queue
    ADD COLUMN unavailable_since    timestamptz,
    ADD COLUMN unavailable_attempts integer NOT NULL DEFAULT 0 CHECK (unavailable_attempts >= 0);

-- Which path applied the event: listener (the message-driven bean), poller (the safety net, broker down) or direct.
ALTER TABLE webhook_events ADD COLUMN applied_via text;

-- Applied events are deleted after WEBHOOK_RETENTION (Evolution's retries end within ~25 minutes, so dedup needs far
-- less); the message log and connection history keep what they changed. Dead letters stay until replayed.
CREATE INDEX webhook_events_retention_idx ON webhook_events (received_at) WHERE processed_at IS NOT NULL;
