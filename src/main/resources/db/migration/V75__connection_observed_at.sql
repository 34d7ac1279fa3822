-- When we last read an instance's connection state from Evolution itself (connect, logout, restart, the state check),
-- on our clock. A delivered connection.update received before that reading is older news than it: the applier, which
-- may apply a delivery some milliseconds after it was received, must not let it undo the reading. Evolution's own
-- stamps cannot be compared with our clock (its date_time is local time with a Z appended).
ALTER TABLE evolution_instances ADD COLUMN connection_observed_at timestamptz;

SELECT secure_provisioner_tables();
