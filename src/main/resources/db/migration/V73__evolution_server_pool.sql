-- A pool of Evolution API servers (issue 13; docs/evolution-servers.md). Servers are data: the evolution component
-- owns both tables. EVOLUTION_API_BASE_URL / EVOLUTION_API_KEY seed the first server at start (EvolutionPool), and
-- the instances that exist then are placed on it, so a single-server set-up keeps working unchanged.
-- api_key: the server's global apikey, encrypted like the instance secrets (SecretCipher, additional data
--   evolution_servers.api_key:<name>); hidden from authenticated users by V40's column rule, and never returned.
-- state: active servers receive new instances; draining ones keep theirs but get no new ones; disabled ones get
--   nothing new either (an operator's decision, or the licence gate: state_reason 'licence_required').
CREATE TABLE evolution_servers (
    name          text        PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    base_url      text        NOT NULL UNIQUE,
    api_key       text        NOT NULL,
    capacity      integer     NOT NULL CHECK (capacity >= 0),
    state         text        NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'draining', 'disabled')),
    state_reason  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Which server an instance lives on. Keyed by instance name (not user id): Evolution knows instances by name, and a
-- placement may exist before the instance row does (placement is part of the provisioning claim).
CREATE TABLE evolution_placements (
    instance_name  text        PRIMARY KEY,
    server_name    text        NOT NULL REFERENCES evolution_servers (name),
    placed_at      timestamptz NOT NULL DEFAULT now()
);
-- Counting a server's instances (placement, capacity, metrics) and listing them (draining).
CREATE INDEX evolution_placements_server_idx ON evolution_placements (server_name);

SELECT secure_provisioner_tables();
