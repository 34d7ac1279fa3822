-- Every node records a heartbeat at each poll. A row in processing whose node has stopped beating is taken over
-- after a short lease, instead of waiting for the 10-minute stuck rule.
CREATE TABLE provisioner_nodes (
    node_id       text PRIMARY KEY,
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now()
);
