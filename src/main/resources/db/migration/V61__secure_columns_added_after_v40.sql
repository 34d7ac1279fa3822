-- V50, V50.1 and V60 added columns after V40 secured the schema: apply the same rules to them (the function is
-- idempotent). Every later migration that adds a table or a column ends with this call.
SELECT secure_provisioner_tables();
