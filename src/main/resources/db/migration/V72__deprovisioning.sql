-- Deprovisioning (deleting a user's instance and data) is queued on the user's provisioning row, worked by the same
-- MDB, poller, claim, attempts and back-off as creation: the row says which operation is wanted. A deletion request
-- switches the row to 'deprovision' for good; once Evolution has removed the instance, the profile is deleted and
-- the row goes with it (ON DELETE CASCADE), so no 'deprovision' row ever completes.
-- deprovisioning_requested_at: when the deletion was asked for (the request → erased duration, and the status).
ALTER TABLE evolution_instance_creation_queue
    ADD COLUMN operation text NOT NULL DEFAULT 'provision' CHECK (operation IN ('provision', 'deprovision')),
    ADD COLUMN deprovisioning_requested_at timestamptz;

SELECT secure_provisioner_tables();
