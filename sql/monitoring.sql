-- =====================================================================================================================
-- Evolution Provisioner — monitoring queries
--
-- The seed's supabase/test-queries.sql rebuilt for this service's schema (src/main/resources/db/migration).
-- Every statement only reads; the session is switched to read-only below, so nothing in here can change data.
--
-- Run everything:      psql -v ON_ERROR_STOP=1 -f sql/monitoring.sql "$DATABASE_URL"
-- Easier to read:      add -e (echoes each query before its result) and/or -x (one column a line)
-- One section only:    copy it into psql or any SQL editor; each statement stands on its own.
--
-- Thresholds mirror the service's defaults: stuck = processing for over 10 minutes (queue.stuck.after),
-- alert when over 10 % of the last hour's finished rows failed (health.queue.max.failure.rate) or a row has been
-- pending for over an hour (health.queue.max.pending.age). Adjust the intervals below if you changed those.
--
-- Fixing what these queries find is done through the service, not by hand-written SQL (the service re-dispatches
-- what it changes), with a service-role token:
--   POST /api/admin/queue/reset-stuck           stuck processing rows back to pending
--   POST /api/admin/queue/requeue-failed        every failed row back to pending, attempts reset
--   POST /api/admin/queue/{userId}/requeue      one user's failed or completed row (repair)
--   POST /api/admin/queue/purge?olderThanDays=N completed rows older than N days
--   GET  /api/admin/queue?status=failed         the rows, paged;  GET /api/admin/stats  the health view as JSON
--   GET  /api/admin/webhooks/dead-letters       events that could not be applied; POST .../dead-letters/replay
--   POST /api/admin/instances/{userId}/rotate-webhook-key
--
-- Row-level security is forced on every table (V40, docs/database-security.md): a role sees only the rows its policies
-- allow, so its figures would be silently incomplete. The owner (DB_MIGRATION_USER), members of
-- evolution_provisioner_app and of service_role, and superusers see every row; section 1.7 says whether this session
-- does. A read-only monitoring login: CREATE ROLE monitoring LOGIN PASSWORD '…' IN ROLE service_role (where it exists).
--
-- Sections
--    1. Initial checks            6. Webhook events
--    2. Queue statistics          7. Health report and alert rules
--    3. Recent activity           8. Per-node activity
--    4. Problem detection         9. Webhook configuration consistency
--    5. Performance              10. Housekeeping
-- =====================================================================================================================

-- Safety net: any write attempted in this session fails; no query may hold the database for more than a minute.
SET default_transaction_read_only = on;
SET statement_timeout = '60s';


-- =====================================================================================================================
-- 1. Initial checks: tables, trigger, function, view and indexes exist
-- =====================================================================================================================

-- 1.1 Tables and the health view (present = false means a migration did not run, or another schema is in use)
SELECT expected.name                  AS relation,
       expected.kind                  AS expected_kind,
       t.table_schema,
       t.table_type,
       (t.table_name IS NOT NULL)     AS present
  FROM (VALUES ('profiles', 'table'),
               ('evolution_instance_creation_queue', 'table'),
               ('evolution_instances', 'table'),
               ('webhook_events', 'table'),
               ('instance_connection_history', 'table'),
               ('evolution_messages', 'table'),
               ('v_webhook_health', 'view')) AS expected (name, kind)
  LEFT JOIN information_schema.tables t
         ON t.table_name = expected.name
        AND t.table_schema = ANY (current_schemas(false))
 ORDER BY expected.kind, expected.name;

-- 1.2 The signup trigger: must exist, be enabled ('O' = enabled, 'D' = disabled) and call the function
SELECT 'on_profile_created_create_evolution_instance'       AS trigger_name,
       (tg.oid IS NOT NULL)                                  AS present,
       tg.tgrelid::regclass                                  AS on_table,
       CASE tg.tgenabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'DISABLED'
                         WHEN 'R' THEN 'replica only' WHEN 'A' THEN 'always' END AS state,
       fn.proname                                            AS calls_function,
       pg_get_triggerdef(tg.oid)                             AS definition
  FROM (VALUES (1)) AS one (x)
  LEFT JOIN pg_trigger tg
         ON tg.tgname = 'on_profile_created_create_evolution_instance'
        AND NOT tg.tgisinternal
        AND tg.tgrelid = to_regclass('profiles')
  LEFT JOIN pg_proc fn ON fn.oid = tg.tgfoid;

-- 1.3 The trigger function: plpgsql, SECURITY DEFINER, with a fixed search_path
SELECT 'handle_profile_evolution_instance'                  AS function_name,
       (p.oid IS NOT NULL)                                   AS present,
       n.nspname                                             AS schema,
       l.lanname                                             AS language,
       p.prosecdef                                           AS security_definer,
       p.proconfig                                           AS settings,
       pg_get_function_result(p.oid)                         AS returns
  FROM (VALUES (1)) AS one (x)
  LEFT JOIN pg_proc p
         ON p.proname = 'handle_profile_evolution_instance'
        AND p.pronamespace = ANY (SELECT oid FROM pg_namespace WHERE nspname = ANY (current_schemas(false)))
  LEFT JOIN pg_namespace n ON n.oid = p.pronamespace
  LEFT JOIN pg_language l ON l.oid = p.prolang;

-- 1.4 The health view and its columns
SELECT 'v_webhook_health'                                   AS view_name,
       (v.viewname IS NOT NULL)                              AS present,
       v.schemaname,
       (SELECT string_agg(c.column_name, ', ' ORDER BY c.ordinal_position)
          FROM information_schema.columns c
         WHERE c.table_name = 'v_webhook_health'
           AND c.table_schema = v.schemaname)                AS columns
  FROM (VALUES (1)) AS one (x)
  LEFT JOIN pg_views v
         ON v.viewname = 'v_webhook_health'
        AND v.schemaname = ANY (current_schemas(false));

-- 1.5 Indexes the poller and the webhook receiver rely on (partial indexes keep the poller's reads small)
SELECT expected.name                                         AS index_name,
       expected.purpose,
       (i.indexname IS NOT NULL)                             AS present,
       i.tablename,
       i.indexdef
  FROM (VALUES ('evolution_queue_due_pending_idx',  'poller: due pending rows'),
               ('evolution_queue_processing_idx',   'poller: stuck processing rows'),
               ('webhook_events_instance_idx',      'events per instance'),
               ('evolution_instance_creation_queue_user_id_key', 'one queue row per user'),
               ('evolution_instances_user_id_key',  'one instance per user'),
               ('evolution_instances_instance_name_key', 'instance names unique'),
               ('webhook_events_dedup_key_key',     'duplicate deliveries collapse'),
               ('webhook_events_unapplied_idx',     'events still to apply'),
               ('instance_connection_history_idx',  'connection history per instance'),
               ('evolution_messages_instance_name_message_id_key', 'one row per message')) AS expected (name, purpose)
  LEFT JOIN pg_indexes i
         ON i.indexname = expected.name
        AND i.schemaname = ANY (current_schemas(false))
 ORDER BY expected.name;

-- 1.6 Every index on our tables, with how often it has been used since statistics were last reset
SELECT s.relname                                             AS table_name,
       s.indexrelname                                        AS index_name,
       s.idx_scan                                            AS scans,
       pg_size_pretty(pg_relation_size(s.indexrelid))        AS size
  FROM pg_stat_user_indexes s
 WHERE s.relname IN ('profiles', 'evolution_instance_creation_queue', 'evolution_instances', 'webhook_events',
                     'instance_connection_history', 'evolution_messages')
   AND s.schemaname = ANY (current_schemas(false))
 ORDER BY s.relname, s.indexrelname;

-- 1.7 Row-level security of every table, and whether this session sees every row of it (superuser, BYPASSRLS, or a
--     policy for one of its roles that lets it read every row); sees_every_row = false means the figures below only
--     cover the rows it may see
SELECT c.oid::regclass                                       AS table_name,
       c.relrowsecurity                                      AS rls_enabled,
       c.relforcerowsecurity                                 AS rls_forced,
       (SELECT string_agg(pol.polname, ', ' ORDER BY pol.polname)
          FROM pg_policy pol WHERE pol.polrelid = c.oid)     AS policies,
       r.rolsuper OR r.rolbypassrls                          AS session_bypasses_rls,
       NOT c.relrowsecurity
           OR r.rolsuper OR r.rolbypassrls
           OR (pg_has_role(c.relowner, 'USAGE') AND NOT c.relforcerowsecurity)
           OR EXISTS (SELECT FROM pg_policy pol
                       WHERE pol.polrelid = c.oid AND pol.polcmd IN ('r', '*')
                         AND pg_get_expr(pol.polqual, pol.polrelid) = 'true'
                         AND EXISTS (SELECT FROM unnest(pol.polroles) pr
                                      WHERE pr = 0 OR pg_has_role(pr, 'USAGE'))) AS sees_every_row
  FROM pg_class c
  JOIN pg_roles r ON r.rolname = current_user
 WHERE c.relnamespace = ANY (SELECT oid FROM pg_namespace WHERE nspname = ANY (current_schemas(false)))
   AND c.relkind IN ('r', 'p')
 ORDER BY c.relname;

-- 1.8 Schema version applied by Flyway (flyway_schema_history is absent when the schema was applied by hand)
SELECT to_regclass('flyway_schema_history') IS NOT NULL     AS flyway_history_present,
       current_database()                                    AS database,
       current_user                                          AS connected_as,
       current_setting('server_version')                     AS server_version,
       now()                                                 AS checked_at;

-- 1.9 Row counts
SELECT (SELECT count(*) FROM profiles)                          AS profiles,
       (SELECT count(*) FROM evolution_instance_creation_queue) AS queue_rows,
       (SELECT count(*) FROM evolution_instances)               AS instances,
       (SELECT count(*) FROM webhook_events)                    AS webhook_events,
       (SELECT count(*) FROM instance_connection_history)       AS connection_changes,
       (SELECT count(*) FROM evolution_messages)                AS messages;


-- =====================================================================================================================
-- 2. Queue statistics by status
-- =====================================================================================================================

-- 2.1 Rows per status (all four statuses, zero included)
SELECT s.status,
       count(q.id)                                                        AS row_count,
       round(100.0 * count(q.id) / NULLIF(sum(count(q.id)) OVER (), 0), 2) AS pct,
       round(avg(q.attempts), 2)                                          AS avg_attempts,
       max(q.attempts)                                                    AS max_attempts_used,
       min(q.created_at)                                                  AS oldest_created_at,
       max(q.updated_at)                                                  AS last_change_at
  FROM (VALUES (1, 'pending'), (2, 'processing'), (3, 'completed'), (4, 'failed')) AS s (ord, status)
  LEFT JOIN evolution_instance_creation_queue q ON q.status = s.status
 GROUP BY s.ord, s.status
 ORDER BY s.ord;

-- 2.2 Rows created in the last hour / 24 hours / 7 days, by their current status
SELECT w.label                                                     AS created_within,
       count(q.id)                                                 AS total,
       count(q.id) FILTER (WHERE q.status = 'pending')             AS pending,
       count(q.id) FILTER (WHERE q.status = 'processing')          AS processing,
       count(q.id) FILTER (WHERE q.status = 'completed')           AS completed,
       count(q.id) FILTER (WHERE q.status = 'failed')              AS failed
  FROM (VALUES (1, 'last hour', interval '1 hour'),
               (2, 'last 24 hours', interval '24 hours'),
               (3, 'last 7 days', interval '7 days')) AS w (ord, label, span)
  LEFT JOIN evolution_instance_creation_queue q ON q.created_at > now() - w.span
 GROUP BY w.ord, w.label
 ORDER BY w.ord;

-- 2.3 Pending rows: due now versus waiting for a retry backoff
SELECT count(*) FILTER (WHERE next_attempt_at <= now())                      AS due_now,
       count(*) FILTER (WHERE next_attempt_at > now())                       AS waiting_for_retry,
       count(*) FILTER (WHERE attempts > 0)                                  AS retried_at_least_once,
       min(next_attempt_at) FILTER (WHERE next_attempt_at > now())           AS next_retry_at,
       round(extract(EPOCH FROM now() - min(next_attempt_at)
                     FILTER (WHERE next_attempt_at <= now()))::numeric, 1)   AS longest_overdue_seconds
  FROM evolution_instance_creation_queue
 WHERE status = 'pending';


-- =====================================================================================================================
-- 3. Recent activity
-- =====================================================================================================================

-- 3.1 The 25 most recently changed queue rows, with the user and the instance
SELECT q.id,
       q.user_id,
       p.email,
       q.status,
       q.attempts || '/' || q.max_attempts                           AS attempts,
       i.instance_name,
       i.webhook_configured,
       i.connection_state,
       q.claimed_by,
       q.claimed_via,
       q.created_at,
       q.updated_at,
       q.completed_at,
       left(q.last_error, 120)                                       AS last_error
  FROM evolution_instance_creation_queue q
  LEFT JOIN profiles p ON p.id = q.user_id
  LEFT JOIN evolution_instances i ON i.user_id = q.user_id
 ORDER BY q.updated_at DESC, q.id DESC
 LIMIT 25;

-- 3.2 The 10 latest signups and where each one stands
SELECT p.id                                                          AS user_id,
       p.email,
       p.full_name,
       p.created_at                                                  AS signed_up_at,
       coalesce(q.status, '(no queue row)')                          AS queue_status,
       i.instance_name,
       round(extract(EPOCH FROM q.completed_at - p.created_at)::numeric, 3) AS seconds_to_completed
  FROM profiles p
  LEFT JOIN evolution_instance_creation_queue q ON q.user_id = p.id
  LEFT JOIN evolution_instances i ON i.user_id = p.id
 ORDER BY p.created_at DESC
 LIMIT 10;

-- 3.3 The 10 latest instances recorded
SELECT i.instance_name,
       i.user_id,
       i.evolution_instance_id,
       i.webhook_configured,
       i.webhook_method,
       i.connection_state,
       i.created_at,
       i.updated_at
  FROM evolution_instances i
 ORDER BY i.created_at DESC, i.id DESC
 LIMIT 10;


-- =====================================================================================================================
-- 4. Problem detection (every result here should be empty on a healthy system)
-- =====================================================================================================================

-- 4.1 Stuck: in processing for more than 10 minutes (the node that claimed it probably died mid-attempt;
--     the poller resets these itself, or POST /api/admin/queue/reset-stuck)
SELECT q.id,
       q.user_id,
       q.attempts || '/' || q.max_attempts                           AS attempts,
       q.claimed_by,
       q.claimed_via,
       q.processing_started_at,
       now() - q.processing_started_at                               AS processing_for
  FROM evolution_instance_creation_queue q
 WHERE q.status = 'processing'
   AND q.processing_started_at < now() - interval '10 minutes'
 ORDER BY q.processing_started_at;

-- 4.2 Pending for more than an hour since signup (the fast path and the poller both missed it, or it keeps failing)
SELECT q.id,
       q.user_id,
       q.attempts || '/' || q.max_attempts                           AS attempts,
       q.created_at,
       now() - q.created_at                                          AS pending_for,
       q.next_attempt_at,
       CASE WHEN q.next_attempt_at <= now() THEN 'overdue by ' || (now() - q.next_attempt_at)
            ELSE 'retry scheduled' END                               AS next_attempt,
       left(q.last_error, 200)                                       AS last_error
  FROM evolution_instance_creation_queue q
 WHERE q.status = 'pending'
   AND q.created_at < now() - interval '1 hour'
 ORDER BY q.created_at;

-- 4.3 Failed for good (attempts used up), latest first, with the error
SELECT q.id,
       q.user_id,
       p.email,
       q.attempts || '/' || q.max_attempts                           AS attempts,
       q.claimed_by,
       q.updated_at                                                  AS failed_at,
       q.last_error
  FROM evolution_instance_creation_queue q
  LEFT JOIN profiles p ON p.id = q.user_id
 WHERE q.status = 'failed'
 ORDER BY q.updated_at DESC
 LIMIT 50;

-- 4.4 The most common failure causes (failed rows, and pending rows already retrying)
SELECT left(coalesce(q.last_error, '(no error recorded)'), 160)    AS error,
       count(*)                                                      AS row_count,
       count(*) FILTER (WHERE q.status = 'failed')                   AS failed,
       count(*) FILTER (WHERE q.status = 'pending')                  AS still_retrying,
       max(q.updated_at)                                             AS last_seen
  FROM evolution_instance_creation_queue q
 WHERE q.status = 'failed'
    OR (q.status = 'pending' AND q.last_error IS NOT NULL)
 GROUP BY 1
 ORDER BY row_count DESC, last_seen DESC
 LIMIT 20;

-- 4.5 Profiles without a queue row. Without an instance either: never queued (trigger missing or disabled?).
--     With an instance: the completed row was purged, which is harmless.
SELECT p.id                                                          AS user_id,
       p.email,
       p.created_at,
       (i.id IS NOT NULL)                                            AS has_instance,
       CASE WHEN i.id IS NULL THEN 'NEVER QUEUED: check the trigger (section 1.2)'
            ELSE 'queue row purged after completion' END             AS diagnosis
  FROM profiles p
  LEFT JOIN evolution_instance_creation_queue q ON q.user_id = p.id
  LEFT JOIN evolution_instances i ON i.user_id = p.id
 WHERE q.id IS NULL
 ORDER BY (i.id IS NOT NULL), p.created_at DESC
 LIMIT 100;

-- 4.6 Completed rows whose instance is missing, or whose webhook is not configured
SELECT q.id,
       q.user_id,
       q.completed_at,
       i.instance_name,
       i.webhook_configured,
       i.webhook_method,
       CASE WHEN i.id IS NULL THEN 'completed but no instance recorded'
            ELSE 'completed but webhook_configured = false' END      AS problem
  FROM evolution_instance_creation_queue q
  LEFT JOIN evolution_instances i ON i.user_id = q.user_id
 WHERE q.status = 'completed'
   AND (i.id IS NULL OR NOT i.webhook_configured)
 ORDER BY q.completed_at DESC NULLS LAST;

-- 4.7 Instances whose webhook is not configured, whatever their queue row says (e.g. still being provisioned)
SELECT i.instance_name,
       i.user_id,
       coalesce(q.status, '(no queue row)')                          AS queue_status,
       i.evolution_instance_id IS NOT NULL                           AS created_in_evolution,
       i.created_at,
       i.updated_at
  FROM evolution_instances i
  LEFT JOIN evolution_instance_creation_queue q ON q.user_id = i.user_id
 WHERE NOT i.webhook_configured
 ORDER BY i.created_at;


-- =====================================================================================================================
-- 5. Performance
-- =====================================================================================================================

-- 5.1 Signup (profile created) to queue row completed, in seconds: average and percentiles
SELECT w.label                                                                             AS completed_within,
       count(t.seconds)                                                                    AS completed,
       round(avg(t.seconds)::numeric, 3)                                                   AS avg_seconds,
       round((percentile_cont(0.50) WITHIN GROUP (ORDER BY t.seconds))::numeric, 3)        AS p50_seconds,
       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY t.seconds))::numeric, 3)        AS p95_seconds,
       round((percentile_cont(0.99) WITHIN GROUP (ORDER BY t.seconds))::numeric, 3)        AS p99_seconds,
       round(min(t.seconds)::numeric, 3)                                                   AS min_seconds,
       round(max(t.seconds)::numeric, 3)                                                   AS max_seconds
  FROM (VALUES (1, 'last hour', interval '1 hour'),
               (2, 'last 24 hours', interval '24 hours'),
               (3, 'last 7 days', interval '7 days'),
               (4, 'all time', NULL::interval)) AS w (ord, label, span)
  LEFT JOIN (SELECT q.completed_at,
                    extract(EPOCH FROM q.completed_at - p.created_at)::double precision AS seconds
               FROM evolution_instance_creation_queue q
               JOIN profiles p ON p.id = q.user_id
              WHERE q.status = 'completed'
                AND q.completed_at IS NOT NULL) AS t
         ON w.span IS NULL OR t.completed_at > now() - w.span
 GROUP BY w.ord, w.label
 ORDER BY w.ord;

-- 5.2 Duration of the successful attempt itself (claim to completion), per claim origin
SELECT coalesce(q.claimed_via, '(unknown)')                                                AS claimed_via,
       count(*)                                                                            AS completed,
       round(avg(extract(EPOCH FROM q.completed_at - q.processing_started_at))::numeric, 3) AS avg_seconds,
       round((percentile_cont(0.95) WITHIN GROUP
              (ORDER BY extract(EPOCH FROM q.completed_at - q.processing_started_at)))::numeric, 3) AS p95_seconds
  FROM evolution_instance_creation_queue q
 WHERE q.status = 'completed'
   AND q.completed_at IS NOT NULL
   AND q.processing_started_at IS NOT NULL
 GROUP BY 1
 ORDER BY completed DESC;

-- 5.3 Attempts distribution: how many tries rows needed (completed) or used up (failed)
SELECT q.attempts,
       count(*)                                                      AS total,
       count(*) FILTER (WHERE q.status = 'completed')                AS completed,
       count(*) FILTER (WHERE q.status = 'failed')                   AS failed,
       count(*) FILTER (WHERE q.status = 'pending')                  AS pending,
       count(*) FILTER (WHERE q.status = 'processing')               AS processing,
       round(100.0 * count(*) / NULLIF(sum(count(*)) OVER (), 0), 2) AS pct
  FROM evolution_instance_creation_queue q
 GROUP BY q.attempts
 ORDER BY q.attempts;

-- 5.4 Throughput per hour over the last 24 hours: signups, completions, failures
SELECT h.hour,
       (SELECT count(*) FROM profiles p
         WHERE p.created_at >= h.hour AND p.created_at < h.hour + interval '1 hour')          AS signups,
       (SELECT count(*) FROM evolution_instance_creation_queue q
         WHERE q.status = 'completed'
           AND q.completed_at >= h.hour AND q.completed_at < h.hour + interval '1 hour')      AS completed,
       (SELECT count(*) FROM evolution_instance_creation_queue q
         WHERE q.status = 'failed'
           AND q.updated_at >= h.hour AND q.updated_at < h.hour + interval '1 hour')          AS failed
  FROM generate_series(date_trunc('hour', now()) - interval '23 hours',
                       date_trunc('hour', now()),
                       interval '1 hour') AS h (hour)
 ORDER BY h.hour DESC;


-- =====================================================================================================================
-- 6. Webhook events received from Evolution
-- =====================================================================================================================

-- 6.1 Events received per event type per hour, last 24 hours (applied = processed_at set once the event's effect,
--     e.g. a connection state or a message status, has been recorded)
SELECT date_trunc('hour', e.received_at)                             AS hour,
       e.event,
       count(*)                                                      AS received,
       count(*) FILTER (WHERE e.processed_at IS NOT NULL)            AS applied,
       count(*) FILTER (WHERE e.processed_at IS NULL)                AS not_applied,
       count(DISTINCT e.instance_name)                               AS instances
  FROM webhook_events e
 WHERE e.received_at > now() - interval '24 hours'
 GROUP BY 1, 2
 ORDER BY 1 DESC, 3 DESC;

-- 6.2 Events per event type, all time
SELECT e.event,
       count(*)                                                      AS received,
       count(*) FILTER (WHERE e.processed_at IS NULL)                AS not_applied,
       round(avg(extract(EPOCH FROM e.processed_at - e.received_at))::numeric, 3) AS avg_seconds_to_apply,
       min(e.received_at)                                            AS first_received,
       max(e.received_at)                                            AS last_received
  FROM webhook_events e
 GROUP BY e.event
 ORDER BY received DESC;

-- 6.3 Events per instance (known = the instance is one of ours; unknown names are never stored, so false means
--     the instance row was deleted after its events arrived)
SELECT e.instance_name,
       (i.id IS NOT NULL)                                            AS known_instance,
       count(*)                                                      AS received,
       count(DISTINCT e.event)                                       AS event_types,
       string_agg(DISTINCT e.event, ', ')                            AS events,
       min(e.received_at)                                            AS first_received,
       max(e.received_at)                                            AS last_received
  FROM webhook_events e
  LEFT JOIN evolution_instances i ON i.instance_name = e.instance_name
 GROUP BY e.instance_name, i.id
 ORDER BY last_received DESC
 LIMIT 100;

-- 6.4 Events waiting to be applied, and dead letters (5 failed apply attempts: they stay unapplied until replayed,
--     POST /api/admin/webhooks/dead-letters/replay). A growing "waiting" count means event application is behind.
SELECT CASE WHEN e.apply_attempts >= 5 THEN 'dead letter'
            WHEN e.apply_attempts > 0 THEN 'retrying'
            ELSE 'waiting' END                                       AS state,
       count(*)                                                      AS events,
       count(*) FILTER (WHERE e.received_at < now() - interval '5 minutes') AS older_than_5_min,
       min(e.received_at)                                            AS oldest_received_at,
       max(e.apply_attempts)                                         AS max_apply_attempts
  FROM webhook_events e
 WHERE e.processed_at IS NULL
 GROUP BY 1
 ORDER BY 1;

-- 6.5 Why events fail to apply (unapplied events that have an apply_error), most frequent first
SELECT e.event,
       left(e.apply_error, 160)                                      AS apply_error,
       count(*)                                                      AS events,
       count(*) FILTER (WHERE e.apply_attempts >= 5)                 AS dead_letters,
       max(e.received_at)                                            AS last_received_at
  FROM webhook_events e
 WHERE e.processed_at IS NULL
   AND e.apply_error IS NOT NULL
 GROUP BY 1, 2
 ORDER BY events DESC
 LIMIT 20;

-- 6.6 Last connection state per instance: the state we hold (with Evolution's time of it), the last change in the
--     connection history, and the latest connection event received (raw; names compared in one form, as v1 servers
--     send CONNECTION_UPDATE and v2 connection.update)
SELECT i.instance_name,
       i.connection_state                                            AS recorded_state,
       i.connection_event_at                                         AS state_event_at,
       i.connection_updated_at                                       AS recorded_at,
       h.state                                                       AS history_state,
       h.status_reason                                               AS history_status_reason,
       h.received_at                                                 AS history_at,
       c.payload -> 'data' ->> 'state'                               AS last_event_state,
       c.received_at                                                 AS last_event_at,
       c.processed_at IS NOT NULL                                    AS last_event_applied
  FROM evolution_instances i
  LEFT JOIN LATERAL (SELECT ch.state, ch.status_reason, ch.received_at
                       FROM instance_connection_history ch
                      WHERE ch.instance_name = i.instance_name
                      ORDER BY ch.received_at DESC, ch.id DESC
                      LIMIT 1) AS h ON true
  LEFT JOIN LATERAL (SELECT e.payload, e.received_at, e.processed_at
                       FROM webhook_events e
                      WHERE e.instance_name = i.instance_name
                        AND lower(translate(e.event, '_-', '..')) = 'connection.update'
                      ORDER BY e.received_at DESC, e.id DESC
                      LIMIT 1) AS c ON true
 ORDER BY greatest(c.received_at, h.received_at, i.connection_updated_at) DESC NULLS LAST, i.instance_name
 LIMIT 100;

-- 6.7 Instances per recorded connection state
SELECT coalesce(i.connection_state, '(never reported)')            AS connection_state,
       count(*)                                                      AS instances,
       max(i.connection_updated_at)                                  AS last_change
  FROM evolution_instances i
 GROUP BY 1
 ORDER BY instances DESC;

-- 6.8 Connection changes per state over the last 24 hours (many "close" or "connecting" means flapping sessions)
SELECT ch.state,
       count(*)                                                      AS changes,
       count(DISTINCT ch.instance_name)                              AS instances,
       string_agg(DISTINCT ch.status_reason::text, ', ')             AS status_reasons,
       max(ch.received_at)                                           AS last_change_at
  FROM instance_connection_history ch
 WHERE ch.received_at > now() - interval '24 hours'
 GROUP BY ch.state
 ORDER BY changes DESC;

-- 6.9 Messages recorded from message events, per hour and direction, last 24 hours
SELECT date_trunc('hour', m.created_at)                              AS hour,
       m.direction,
       count(*)                                                      AS messages,
       count(DISTINCT m.instance_name)                               AS instances,
       count(*) FILTER (WHERE upper(m.status) = 'ERROR')             AS errors
  FROM evolution_messages m
 WHERE m.created_at > now() - interval '24 hours'
 GROUP BY 1, 2
 ORDER BY 1 DESC, 2;

-- 6.10 Completed instances that have never sent us a single event (webhook possibly wiped on Evolution's side)
SELECT i.instance_name,
       i.user_id,
       i.webhook_configured,
       q.completed_at,
       now() - q.completed_at                                        AS silent_for
  FROM evolution_instances i
  JOIN evolution_instance_creation_queue q ON q.user_id = i.user_id AND q.status = 'completed'
 WHERE NOT EXISTS (SELECT 1 FROM webhook_events e WHERE e.instance_name = i.instance_name)
 ORDER BY q.completed_at
 LIMIT 100;


-- =====================================================================================================================
-- 7. Health report and alert rules
-- =====================================================================================================================

-- 7.1 The health view (the same numbers as GET /api/admin/stats)
SELECT * FROM v_webhook_health;

-- 7.2 Alert rules. Rules 1 and 2 are the ones the readiness check applies (either makes /health/ready answer DOWN);
--     rule 5 means signups are not provisioned at all; WARN rows deserve a look. The last row sums up: OK/WARN/ALERT.
--     Failure rate = failed / (completed + failed) among rows finished in the last hour, as the service computes it.
WITH last_hour AS (
    SELECT count(*) FILTER (WHERE status = 'failed')                     AS failed,
           count(*)                                                      AS finished
      FROM evolution_instance_creation_queue
     WHERE status IN ('completed', 'failed')
       AND updated_at > now() - interval '1 hour'
), old_pending AS (
    SELECT count(*)                                                      AS row_count,
           min(created_at)                                               AS oldest
      FROM evolution_instance_creation_queue
     WHERE status = 'pending'
       AND created_at < now() - interval '1 hour'
), stuck AS (
    SELECT count(*)                                                      AS row_count
      FROM evolution_instance_creation_queue
     WHERE status = 'processing'
       AND processing_started_at < now() - interval '10 minutes'
), unconfigured AS (
    -- instances still being provisioned (pending or processing) are not counted
    SELECT count(*) FILTER (WHERE NOT i.webhook_configured
                              AND q.status IS DISTINCT FROM 'pending'
                              AND q.status IS DISTINCT FROM 'processing') AS row_count,
           count(*)                                                      AS total
      FROM evolution_instances i
      LEFT JOIN evolution_instance_creation_queue q ON q.user_id = i.user_id
), unqueued AS (
    SELECT count(*)                                                      AS row_count
      FROM profiles p
     WHERE NOT EXISTS (SELECT 1 FROM evolution_instance_creation_queue q WHERE q.user_id = p.id)
       AND NOT EXISTS (SELECT 1 FROM evolution_instances i WHERE i.user_id = p.id)
), unapplied AS (
    SELECT count(*) FILTER (WHERE apply_attempts >= 5)               AS dead_letters,
           count(*) FILTER (WHERE apply_attempts < 5
                              AND received_at < now() - interval '5 minutes') AS late
      FROM webhook_events
     WHERE processed_at IS NULL
), rules (ord, rule, observed, threshold, severity, breached) AS (
    SELECT 1, 'failure rate over the last hour',
           coalesce(round(100.0 * failed / NULLIF(finished, 0), 2), 0) || ' % (' || failed || ' of '
               || finished || ' finished)',
           '> 10 %', 'ALERT',
           coalesce(failed::numeric / NULLIF(finished, 0), 0) > 0.10
      FROM last_hour
    UNION ALL
    SELECT 2, 'rows pending for over 1 hour',
           row_count || coalesce(' (oldest since ' || oldest || ')', ''),
           '> 0', 'ALERT', row_count > 0
      FROM old_pending
    UNION ALL
    SELECT 3, 'rows stuck in processing over 10 minutes', row_count::text, '> 0', 'WARN', row_count > 0
      FROM stuck
    UNION ALL
    SELECT 4, 'provisioned instances without a configured webhook', row_count || ' of ' || total, '> 0', 'WARN',
           row_count > 0
      FROM unconfigured
    UNION ALL
    SELECT 5, 'profiles never queued (trigger missing or disabled?)', row_count::text, '> 0', 'ALERT', row_count > 0
      FROM unqueued
    UNION ALL
    SELECT 6, 'webhook events dead-lettered (could not be applied)', dead_letters::text, '> 0', 'WARN', dead_letters > 0
      FROM unapplied
    UNION ALL
    SELECT 7, 'webhook events waiting over 5 minutes to be applied', late::text, '> 0', 'WARN', late > 0
      FROM unapplied
)
SELECT ord, rule, observed, threshold,
       CASE WHEN breached THEN severity ELSE 'OK' END                   AS state
  FROM rules
 UNION ALL
SELECT 99, 'OVERALL',
       count(*) FILTER (WHERE breached) || ' of ' || count(*) || ' rules breached',
       '',
       CASE WHEN bool_or(breached AND severity = 'ALERT') THEN 'ALERT'
            WHEN bool_or(breached) THEN 'WARN'
            ELSE 'OK' END
  FROM rules
 ORDER BY ord;


-- =====================================================================================================================
-- 8. Per-node activity (claimed_by = node id, claimed_via = signup | poller | api | requeue)
-- =====================================================================================================================

-- 8.1 Rows per node and claim origin (the node that holds, or last held, each row)
SELECT coalesce(q.claimed_by, '(never claimed)')                    AS claimed_by,
       coalesce(q.claimed_via, '-')                                  AS claimed_via,
       count(*)                                                      AS row_count,
       count(*) FILTER (WHERE q.status = 'processing')               AS processing_now,
       count(*) FILTER (WHERE q.status = 'processing'
                          AND q.processing_started_at < now() - interval '10 minutes') AS stuck,
       count(*) FILTER (WHERE q.status = 'completed')                AS completed,
       count(*) FILTER (WHERE q.status = 'failed')                   AS failed,
       count(*) FILTER (WHERE q.status = 'pending')                  AS back_to_pending,
       round(avg(q.attempts), 2)                                     AS avg_attempts,
       max(q.processing_started_at)                                  AS last_claim_at
  FROM evolution_instance_creation_queue q
 GROUP BY q.claimed_by, q.claimed_via
 ORDER BY last_claim_at DESC NULLS LAST, row_count DESC;

-- 8.2 Per node: claims in the last hour and the last 24 hours, and whether it looks alive
SELECT q.claimed_by,
       count(*) FILTER (WHERE q.processing_started_at > now() - interval '1 hour')   AS claims_last_hour,
       count(*) FILTER (WHERE q.processing_started_at > now() - interval '24 hours') AS claims_last_24h,
       max(q.processing_started_at)                                                   AS last_claim_at,
       now() - max(q.processing_started_at)                                           AS since_last_claim,
       string_agg(DISTINCT q.claimed_via, ', ')                                       AS claimed_via
  FROM evolution_instance_creation_queue q
 WHERE q.claimed_by IS NOT NULL
 GROUP BY q.claimed_by
 ORDER BY last_claim_at DESC;

-- 8.3 Which path dispatches the work: the JMS fast path (signup) should take nearly everything; a large poller
--     share means signups' messages are being missed
SELECT coalesce(q.claimed_via, '(never claimed)')                   AS claimed_via,
       count(*)                                                      AS row_count,
       round(100.0 * count(*) / NULLIF(sum(count(*)) OVER (), 0), 2) AS pct,
       count(*) FILTER (WHERE q.status = 'completed')                AS completed,
       count(*) FILTER (WHERE q.status = 'failed')                   AS failed
  FROM evolution_instance_creation_queue q
 GROUP BY 1
 ORDER BY row_count DESC;


-- =====================================================================================================================
-- 9. Webhook configuration consistency
-- =====================================================================================================================

-- 9.1 How webhooks were configured (which configuration method Evolution accepted) and how deliveries authenticate
--     (jwt: Evolution signs each delivery with our key; static: older servers send a secret header)
SELECT coalesce(i.webhook_method, '(none)')                         AS webhook_method,
       i.webhook_auth,
       count(*)                                                      AS instances,
       count(*) FILTER (WHERE i.webhook_configured)                  AS configured
  FROM evolution_instances i
 GROUP BY 1, 2
 ORDER BY instances DESC;

-- 9.2 Configured webhooks that do not match what the service sets: url not ending in /api/webhooks/evolution, or
--     one of the five required events missing
SELECT i.instance_name,
       i.webhook_url,
       i.webhook_events,
       (i.webhook_url IS NULL OR i.webhook_url NOT LIKE '%/api/webhooks/evolution')  AS wrong_url,
       ARRAY(SELECT required.event
               FROM unnest(ARRAY['QRCODE_UPDATED', 'CONNECTION_UPDATE', 'MESSAGES_UPSERT',
                                 'MESSAGES_UPDATE', 'SEND_MESSAGE']) AS required (event)
              WHERE NOT required.event = ANY (string_to_array(coalesce(i.webhook_events, ''), ',')))
                                                                     AS missing_events
  FROM evolution_instances i
 WHERE i.webhook_configured
   AND (i.webhook_url IS NULL
        OR i.webhook_url NOT LIKE '%/api/webhooks/evolution'
        OR NOT string_to_array(coalesce(i.webhook_events, ''), ',')
               @> ARRAY['QRCODE_UPDATED', 'CONNECTION_UPDATE', 'MESSAGES_UPSERT', 'MESSAGES_UPDATE', 'SEND_MESSAGE'])
 ORDER BY i.instance_name;

-- 9.3 Webhook urls in use (more than one means instances point at different deployments)
SELECT i.webhook_url,
       count(*)                                                      AS instances
  FROM evolution_instances i
 WHERE i.webhook_url IS NOT NULL
 GROUP BY i.webhook_url
 ORDER BY instances DESC;

-- 9.4 Webhook key rotations, latest first (the previous key is still accepted for 15 minutes after a rotation)
SELECT i.instance_name,
       i.user_id,
       i.webhook_key_rotated_at,
       now() - i.webhook_key_rotated_at                              AS rotated_ago,
       (i.previous_webhook_key IS NOT NULL
        AND i.webhook_key_rotated_at > now() - interval '15 minutes') AS previous_key_still_accepted,
       i.webhook_configured
  FROM evolution_instances i
 WHERE i.webhook_key_rotated_at IS NOT NULL
 ORDER BY i.webhook_key_rotated_at DESC
 LIMIT 50;


-- =====================================================================================================================
-- 10. Housekeeping
-- =====================================================================================================================

-- 10.1 Completed rows a purge would remove (POST /api/admin/queue/purge?olderThanDays=30)
SELECT count(*)                                                      AS completed_older_than_30_days,
       min(completed_at)                                             AS oldest_completed_at
  FROM evolution_instance_creation_queue
 WHERE status = 'completed'
   AND completed_at < now() - interval '30 days';

-- 10.2 Table sizes and dead rows (autovacuum health of the frequently updated queue table)
SELECT s.relname                                                     AS table_name,
       s.n_live_tup                                                  AS live_rows,
       s.n_dead_tup                                                  AS dead_rows,
       pg_size_pretty(pg_total_relation_size(s.relid))               AS total_size,
       s.last_autovacuum,
       s.last_autoanalyze
  FROM pg_stat_user_tables s
 WHERE s.relname IN ('profiles', 'evolution_instance_creation_queue', 'evolution_instances', 'webhook_events',
                     'instance_connection_history', 'evolution_messages')
   AND s.schemaname = ANY (current_schemas(false))
 ORDER BY pg_total_relation_size(s.relid) DESC;

-- 10.3 Webhook events by age (the table only grows: plan a retention job when it gets large)
SELECT count(*) FILTER (WHERE received_at > now() - interval '24 hours')                     AS last_24h,
       count(*) FILTER (WHERE received_at <= now() - interval '24 hours'
                          AND received_at > now() - interval '30 days')                      AS from_1_to_30_days,
       count(*) FILTER (WHERE received_at <= now() - interval '30 days')                     AS older_than_30_days,
       min(received_at)                                                                      AS oldest
  FROM webhook_events;
