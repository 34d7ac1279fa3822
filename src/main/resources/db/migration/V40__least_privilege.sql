-- Least privilege in the database (docs/database-security.md). Every table of this schema gets row-level security,
-- enabled and forced, and is closed to every role without a policy (Flyway's history table: to every role but the
-- owner, by grants); the policies and grants are:
--   the table's owner (migrations, the profile trigger, a single-user set-up)  everything
--   evolution_provisioner_app (the service's runtime login roles are members)  SELECT, INSERT, UPDATE, DELETE
--   service_role (Supabase)                                                    reads every row
--   authenticated (Supabase)                                                   reads its own rows (JWT sub), without
--                                                                              secret or internal columns
--   anon, PUBLIC                                                               nothing
-- This runs after every earlier migration; a later migration that adds a table or a column ends with
-- SELECT secure_provisioner_tables(); (idempotent) and the table is covered like the others.

-- The seed's queue policies applied to every role and trusted the "role" claim, which any session may set itself.
DROP POLICY queue_users_read_own ON evolution_instance_creation_queue;
DROP POLICY queue_service_role_all ON evolution_instance_creation_queue;

CREATE FUNCTION secure_provisioner_tables() RETURNS void
    LANGUAGE plpgsql SET search_path FROM CURRENT SET client_min_messages = warning AS
$$
DECLARE
    app                CONSTANT text := 'evolution_provisioner_app';
    -- Columns users never read through PostgREST: our keys and Evolution's token (encrypted, still never handed
    -- out) and internal error text (users get a coarse code).
    hidden_column      CONSTANT text := '(^|_)(key|token|secret|password)(_|$)|^last_error$';
    supabase_roles     text[];
    has_app            boolean;
    has_service_role   boolean := EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role');
    has_authenticated  boolean := EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated');
    schema_name        text := current_schema();
    relation           record;
    owner_column       text;
    readable_columns   text;
BEGIN
    SELECT coalesce(array_agg(rolname::text), '{}') INTO supabase_roles
      FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role');

    -- The service's group role: created here when missing, if this role may create roles. A single-user set-up, whose
    -- owner may not, runs without it (the owner's policies cover the service).
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = app) THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', app);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'Role % does not exist and % may not create it: only the owner can use the tables. '
                          'Create it (CREATE ROLE % NOLOGIN) and run SELECT secure_provisioner_tables(); as %',
                          app, current_user, app, current_user;
        END;
    END IF;
    has_app := EXISTS (SELECT FROM pg_roles WHERE rolname = app);

    IF has_app THEN
        IF NOT has_schema_privilege(app, schema_name, 'USAGE') THEN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', schema_name, app);
        END IF;
        -- Tables and sequences this role creates later get the service's grants without a migration saying so.
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
                       schema_name, app);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE ON SEQUENCES TO %I', schema_name, app);
    END IF;

    FOR relation IN
        SELECT c.oid::regclass AS name, c.relname, pg_get_userbyid(c.relowner) AS owner
          FROM pg_class c
         WHERE c.relnamespace = schema_name::regnamespace AND c.relkind IN ('r', 'p')
    LOOP
        -- Supabase grants ALL on new tables of public to these roles by default: start from nothing.
        EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', relation.name);
        IF cardinality(supabase_roles) > 0 THEN
            EXECUTE format('REVOKE ALL ON %s FROM %s', relation.name,
                           (SELECT string_agg(quote_ident(r), ', ') FROM unnest(supabase_roles) r));
        END IF;
        -- Flyway's own table stays the owner's alone, through grants only: Flyway holds a row lock on it while it
        -- migrates, so changing its row-level security here would wait for ever.
        CONTINUE WHEN relation.relname = 'flyway_schema_history';

        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', relation.name);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', relation.name);

        -- Forced RLS binds the owner too, so it gets its own policy: later data migrations, the SECURITY DEFINER
        -- profile trigger (and before PostgreSQL 15 the health view) run as the owner, and so does the service in a
        -- single-user set-up.
        EXECUTE format('DROP POLICY IF EXISTS table_owner_all ON %s', relation.name);
        EXECUTE format('CREATE POLICY table_owner_all ON %s FOR ALL TO %I USING (true) WITH CHECK (true)',
                       relation.name, relation.owner);

        IF has_app THEN
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', relation.name, app);
            EXECUTE format('DROP POLICY IF EXISTS provisioner_app_all ON %s', relation.name);
            EXECUTE format('CREATE POLICY provisioner_app_all ON %s FOR ALL TO %I USING (true) WITH CHECK (true)',
                           relation.name, app);
        END IF;

        IF has_service_role THEN
            EXECUTE format('GRANT SELECT ON %s TO service_role', relation.name);
            EXECUTE format('DROP POLICY IF EXISTS service_role_read_all ON %s', relation.name);
            EXECUTE format('CREATE POLICY service_role_read_all ON %s FOR SELECT TO service_role USING (true)',
                           relation.name);
        END IF;

        -- A user owns the rows that carry their id: profiles.id, and user_id wherever a table has one.
        owner_column := CASE WHEN relation.relname = 'profiles' THEN 'id'
                             WHEN EXISTS (SELECT FROM pg_attribute
                                           WHERE attrelid = relation.name AND attname = 'user_id' AND NOT attisdropped)
                                 THEN 'user_id' END;
        IF has_authenticated AND owner_column IS NOT NULL THEN
            SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO readable_columns
              FROM pg_attribute
             WHERE attrelid = relation.name AND attnum > 0 AND NOT attisdropped AND attname !~ hidden_column;
            EXECUTE format('GRANT SELECT (%s) ON %s TO authenticated', readable_columns, relation.name);
            EXECUTE format('DROP POLICY IF EXISTS authenticated_read_own ON %s', relation.name);
            EXECUTE format('CREATE POLICY authenticated_read_own ON %s FOR SELECT TO authenticated '
                           'USING (%I::text = request_jwt_claim(''sub''))', relation.name, owner_column);
        END IF;
    END LOOP;

    FOR relation IN
        SELECT c.oid::regclass AS name FROM pg_class c
         WHERE c.relnamespace = schema_name::regnamespace AND c.relkind = 'v'
    LOOP
        -- A view reads its tables with its owner's rights unless it is a security invoker (PostgreSQL 15+): then the
        -- reader's policies apply, and a role that may read the view never sees more than the tables allow it.
        IF current_setting('server_version_num')::int >= 150000 THEN
            EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', relation.name);
        END IF;
        EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', relation.name);
        IF cardinality(supabase_roles) > 0 THEN
            EXECUTE format('REVOKE ALL ON %s FROM %s', relation.name,
                           (SELECT string_agg(quote_ident(r), ', ') FROM unnest(supabase_roles) r));
        END IF;
        IF has_app THEN
            EXECUTE format('GRANT SELECT ON %s TO %I', relation.name, app);
        END IF;
        IF has_service_role THEN
            EXECUTE format('GRANT SELECT ON %s TO service_role', relation.name);
        END IF;
    END LOOP;

    FOR relation IN
        SELECT c.oid::regclass AS name FROM pg_class c
         WHERE c.relnamespace = schema_name::regnamespace AND c.relkind = 'S'
    LOOP
        EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM PUBLIC', relation.name);
        IF cardinality(supabase_roles) > 0 THEN
            EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM %s', relation.name,
                           (SELECT string_agg(quote_ident(r), ', ') FROM unnest(supabase_roles) r));
        END IF;
        IF has_app THEN
            EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', relation.name, app);
        END IF;
    END LOOP;

    -- Before PostgreSQL 15 every role may create tables in public; revoke that where this role owns the schema.
    IF pg_has_role((SELECT nspowner FROM pg_namespace WHERE nspname = schema_name), 'USAGE') THEN
        EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', schema_name);
    END IF;
END;
$$;

-- Only the owner runs it (it alters the tables); Supabase would otherwise offer it to every API caller as an RPC.
REVOKE EXECUTE ON FUNCTION secure_provisioner_tables() FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role')) THEN
        EXECUTE (SELECT format('REVOKE EXECUTE ON FUNCTION secure_provisioner_tables() FROM %s',
                               string_agg(quote_ident(rolname), ', '))
                   FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role'));
    END IF;
END;
$$;

SELECT secure_provisioner_tables();
