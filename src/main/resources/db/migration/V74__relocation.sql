-- Draining an Evolution server moves its never-paired instances elsewhere: the user's queue row becomes a 'relocate'
-- (worked by the same MDB, poller, claim, attempts and back-off), which deletes the instance at its server, moves its
-- placement, and turns back into a 'provision' that creates it again at the new server.
ALTER TABLE evolution_instance_creation_queue
    DROP CONSTRAINT evolution_instance_creation_queue_operation_check,
    ADD CONSTRAINT evolution_instance_creation_queue_operation_check
        CHECK (operation IN ('provision', 'deprovision', 'relocate'));

SELECT secure_provisioner_tables();
