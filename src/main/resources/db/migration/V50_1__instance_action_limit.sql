-- How many actions (repair now; later the lifecycle actions) a user has asked for in the current window. Held on the
-- user's own queue row so that every node counts against the same allowance, at the cost of one UPDATE.
ALTER TABLE evolution_instance_creation_queue
    ADD COLUMN actions_window_started_at timestamptz,
    ADD COLUMN actions_in_window integer NOT NULL DEFAULT 0 CHECK (actions_in_window >= 0);
