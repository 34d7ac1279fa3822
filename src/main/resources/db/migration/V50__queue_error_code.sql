-- What a user may be told of why their provisioning failed: a coarse code, while last_error keeps the detail for
-- operators (Evolution's answers, exception text). Codes: evolution_unavailable, evolution_rejected,
-- licence_required, no_capacity (reserved), internal.
ALTER TABLE evolution_instance_creation_queue
    ADD COLUMN last_error_code text
        CHECK (last_error_code IN ('evolution_unavailable', 'evolution_rejected', 'licence_required', 'no_capacity',
                                   'internal'));

-- Errors recorded before codes existed: only the licence gate can be told apart from their text.
UPDATE evolution_instance_creation_queue
   SET last_error_code = CASE WHEN last_error LIKE '%licence required%' THEN 'licence_required' ELSE 'internal' END
 WHERE last_error IS NOT NULL;
