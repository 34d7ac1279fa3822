-- Profiles, the provisioning queue filled by a trigger, the instances we provisioned, and the health view.

CREATE TABLE profiles (
    id          uuid PRIMARY KEY,               -- the auth user id (JWT "sub")
    email       text,
    full_name   text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE evolution_instance_creation_queue (
    id                    bigserial PRIMARY KEY,
    user_id               uuid NOT NULL UNIQUE REFERENCES profiles (id) ON DELETE CASCADE,
    status                text NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    attempts              integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts          integer NOT NULL DEFAULT 3 CHECK (max_attempts > 0),
    next_attempt_at       timestamptz NOT NULL DEFAULT now(),
    processing_started_at timestamptz,
    completed_at          timestamptz,
    last_error            text,
    claimed_by            text,   -- node that holds (or last held) the row
    claimed_via           text,   -- what dispatched that claim: signup, poller, api, requeue
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- The poller only ever reads due pending rows and long-running processing rows: partial indexes keep
-- those reads proportional to the work waiting, not to the millions of completed rows.
CREATE INDEX evolution_queue_due_pending_idx
    ON evolution_instance_creation_queue (next_attempt_at) WHERE status = 'pending';
CREATE INDEX evolution_queue_processing_idx
    ON evolution_instance_creation_queue (processing_started_at) WHERE status = 'processing';

CREATE TABLE evolution_instances (
    id                     bigserial PRIMARY KEY,
    user_id                uuid NOT NULL UNIQUE REFERENCES profiles (id) ON DELETE CASCADE,
    instance_name          text NOT NULL UNIQUE,
    evolution_instance_id  text,
    instance_token         text,                -- Evolution's per-instance key ("hash"); never returned to clients
    webhook_url            text,
    webhook_events         text,                -- comma-separated upper-case event names
    webhook_key            text NOT NULL,       -- our per-instance key, sent as jwt_key; never returned to clients
    webhook_configured     boolean NOT NULL DEFAULT false,
    webhook_method         text,                -- which configuration method Evolution accepted
    connection_state       text,
    connection_updated_at  timestamptz,
    qr_code                text,
    qr_code_updated_at     timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_events (
    id             bigserial PRIMARY KEY,
    instance_name  text NOT NULL,
    event          text NOT NULL,
    dedup_key      text NOT NULL UNIQUE,
    payload        jsonb NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    processed_at   timestamptz
);
CREATE INDEX webhook_events_instance_idx ON webhook_events (instance_name, received_at);

-- Every profile, whoever inserts it (our API, another system, plain SQL), gets exactly one queue row.
CREATE FUNCTION handle_profile_evolution_instance() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS
$$
BEGIN
    INSERT INTO evolution_instance_creation_queue (user_id)
    VALUES (NEW.id)
    ON CONFLICT (user_id) DO NOTHING;
    RETURN NEW;
END;
$$;

CREATE TRIGGER on_profile_created_create_evolution_instance
    AFTER INSERT ON profiles
    FOR EACH ROW EXECUTE FUNCTION handle_profile_evolution_instance();

CREATE VIEW v_webhook_health AS
SELECT count(*) FILTER (WHERE q.status = 'pending')                                     AS pending_count,
       count(*) FILTER (WHERE q.status = 'processing')                                  AS processing_count,
       count(*) FILTER (WHERE q.status = 'completed')                                   AS completed_count,
       count(*) FILTER (WHERE q.status = 'failed')                                      AS failed_count,
       count(*)                                                                          AS total_count,
       round(100.0 * count(*) FILTER (WHERE q.status = 'completed')
             / NULLIF(count(*) FILTER (WHERE q.status IN ('completed', 'failed')), 0), 2) AS success_rate_pct,
       round(avg(extract(EPOCH FROM q.completed_at - q.created_at))
             FILTER (WHERE q.status = 'completed')::numeric, 3)                         AS avg_processing_seconds,
       count(*) FILTER (WHERE q.status = 'processing'
                          AND q.processing_started_at < now() - interval '10 minutes')  AS stuck_count,
       count(*) FILTER (WHERE q.status = 'pending'
                          AND q.created_at < now() - interval '1 hour')                 AS old_pending_count,
       (SELECT round(100.0 * count(*) FILTER (WHERE i.webhook_configured) / NULLIF(count(*), 0), 2)
          FROM evolution_instances i)                                                   AS webhook_configured_rate_pct
  FROM evolution_instance_creation_queue q;
