-- Webhook authentication modes and key rotation, what webhook events change (connection history, message log),
-- and the seed's row-level security on the queue for database clients other than this service.

ALTER TABLE evolution_instances
    -- jwt: Evolution signs each delivery with our key (jwt_key header); static: older servers send a secret header.
    ADD COLUMN webhook_auth text NOT NULL DEFAULT 'jwt' CHECK (webhook_auth IN ('jwt', 'static')),
    -- Still accepted for a short grace period after a rotation, until Evolution has the new key.
    ADD COLUMN previous_webhook_key text,
    ADD COLUMN webhook_key_rotated_at timestamptz,
    -- Evolution's own time of the state and QR code we hold: older events must not overwrite newer ones.
    ADD COLUMN connection_event_at timestamptz,
    ADD COLUMN qr_code_event_at timestamptz;

ALTER TABLE webhook_events
    ADD COLUMN apply_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN apply_error text;
CREATE INDEX webhook_events_unapplied_idx ON webhook_events (received_at) WHERE processed_at IS NULL;

CREATE TABLE instance_connection_history (
    id             bigserial PRIMARY KEY,
    instance_name  text NOT NULL,
    state          text NOT NULL,
    status_reason  integer,
    event_at       timestamptz,
    received_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX instance_connection_history_idx ON instance_connection_history (instance_name, received_at);

CREATE TABLE evolution_messages (
    id                 bigserial PRIMARY KEY,
    instance_name      text NOT NULL,
    message_id         text NOT NULL,
    remote_jid         text,
    direction          text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    status             text,
    status_rank        integer NOT NULL DEFAULT 0,
    message_type       text,
    message_timestamp  timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (instance_name, message_id)
);

-- Row-level security as the seed had it. This service connects as the table owner and is not subject to it;
-- PostgREST-style clients set request.jwt.claims (or request.jwt.claim.sub/.role) and see only their own rows.
CREATE FUNCTION request_jwt_claim(claim text) RETURNS text
    LANGUAGE sql STABLE AS
$$
SELECT coalesce(nullif(current_setting('request.jwt.claim.' || claim, true), ''),
                nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> claim)
$$;

ALTER TABLE evolution_instance_creation_queue ENABLE ROW LEVEL SECURITY;

CREATE POLICY queue_users_read_own ON evolution_instance_creation_queue
    FOR SELECT
    USING (user_id::text = request_jwt_claim('sub'));

CREATE POLICY queue_service_role_all ON evolution_instance_creation_queue
    FOR ALL
    USING (request_jwt_claim('role') = 'service_role')
    WITH CHECK (request_jwt_claim('role') = 'service_role');
