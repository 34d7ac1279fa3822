-- The owner's live event stream (GET /api/instances/me/events). Each change of what an owner watches is recorded
-- here by a trigger and announced with NOTIFY owner_events '<id>': every node LISTENs and hands the row to the
-- streams of that user it holds, and a client that reconnects with Last-Event-ID gets the rows after that id.
-- Triggers rather than application code, so that whoever changes these columns (provisioning, webhooks, state
-- reconciliation, deprovisioning, plain SQL) notifies the owner without knowing of the stream.
-- Rows older than EVENT_RETENTION are deleted by a timer; a resume from a deleted id gets the current state instead.
CREATE TABLE owner_events (
    id          bigserial PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,  -- erased with the user
    type        text        NOT NULL CHECK (type IN ('status', 'qrcode', 'connection')),
    data        jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX owner_events_user_idx ON owner_events (user_id, id);
CREATE INDEX owner_events_created_at_idx ON owner_events (created_at);

-- SECURITY INVOKER (the default) on purpose: every role that may update the watched tables (their owner, and
-- evolution_provisioner_app through V40's grants and policies) may already insert into owner_events and use its
-- sequence, and pg_notify needs no privilege. A definer's rights would give more than the writer already has.
CREATE FUNCTION record_queue_owner_event() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS
$$
DECLARE
    event_id bigint;
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
                        OR NEW.last_error_code IS DISTINCT FROM OLD.last_error_code THEN
        INSERT INTO owner_events (user_id, type, data)
        VALUES (NEW.user_id, 'status',
                jsonb_strip_nulls(jsonb_build_object('status', NEW.status, 'errorCode', NEW.last_error_code)))
        RETURNING id INTO event_id;
        PERFORM pg_notify('owner_events', event_id::text);
    END IF;
    RETURN NULL;
END;
$$;

-- A QR code event carries the session's count only when the same change set it (connect does; a qrcode.updated
-- delivery does not know it, and a stale count would mislead the client).
CREATE FUNCTION record_instance_owner_event() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS
$$
DECLARE
    event_id bigint;
BEGIN
    IF (TG_OP = 'INSERT' AND NEW.qr_code IS NOT NULL)
       OR (TG_OP = 'UPDATE' AND NEW.qr_code IS DISTINCT FROM OLD.qr_code) THEN
        INSERT INTO owner_events (user_id, type, data)
        VALUES (NEW.user_id, 'qrcode',
                jsonb_build_object('qrCode', NEW.qr_code)
                || CASE WHEN NEW.qr_code IS NOT NULL AND NEW.qr_code_count > 0
                             AND (TG_OP = 'INSERT' OR NEW.qr_code_count IS DISTINCT FROM OLD.qr_code_count)
                        THEN jsonb_build_object('count', NEW.qr_code_count) ELSE '{}'::jsonb END)
        RETURNING id INTO event_id;
        PERFORM pg_notify('owner_events', event_id::text);
    END IF;
    IF (TG_OP = 'INSERT' AND NEW.connection_state IS NOT NULL)
       OR (TG_OP = 'UPDATE' AND NEW.connection_state IS DISTINCT FROM OLD.connection_state) THEN
        INSERT INTO owner_events (user_id, type, data)
        VALUES (NEW.user_id, 'connection', jsonb_build_object('state', NEW.connection_state))
        RETURNING id INTO event_id;
        PERFORM pg_notify('owner_events', event_id::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER on_queue_status_changed_record_owner_event
    AFTER INSERT OR UPDATE OF status, last_error_code ON evolution_instance_creation_queue
    FOR EACH ROW EXECUTE FUNCTION record_queue_owner_event();

CREATE TRIGGER on_instance_pairing_changed_record_owner_event
    AFTER INSERT OR UPDATE OF qr_code, qr_code_count, connection_state ON evolution_instances
    FOR EACH ROW EXECUTE FUNCTION record_instance_owner_event();

SELECT secure_provisioner_tables();
