-- State reconciliation and quiet instances (issue 12.6).
-- state_checked_at: when the instance's connection state was last compared with Evolution's connectionState. New
-- rows start at their creation, so that the first check comes one INSTANCE_STATE_CHECK_INTERVAL later (webhooks report
-- a new instance's state meanwhile); the checker takes the least recently checked first.
-- last_traffic_at: when we last received (our clock) a message event of the instance (messages.upsert/update,
-- send.message); written at most once a minute per instance, so the per-event cost stays one indexed look-up.
-- quiet_since: set while an open instance that had traffic in the last 24 h has had none for INSTANCE_QUIET_AFTER;
-- cleared when traffic resumes or the instance is no longer open.
ALTER TABLE evolution_instances
    ADD COLUMN state_checked_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN last_traffic_at timestamptz,
    ADD COLUMN quiet_since timestamptz;

CREATE INDEX evolution_instances_state_checked_at ON evolution_instances (state_checked_at, id);
CREATE INDEX evolution_instances_quiet ON evolution_instances (quiet_since) WHERE quiet_since IS NOT NULL;

-- Who saw the state: a webhook delivery, or our own check against Evolution (a correction of a missed delivery).
ALTER TABLE instance_connection_history
    ADD COLUMN source text NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'state_check'));

SELECT secure_provisioner_tables();
