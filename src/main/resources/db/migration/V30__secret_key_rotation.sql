-- Owned by the security component. One row per "re-encrypt every stored secret" pass that went through every
-- row (admin API or JMX). Once there is one, every secret the service wrote is encrypted with its row and column
-- as additional data, so an unencrypted value can only have been written behind the service's back: it is refused.
CREATE TABLE secret_reencryptions (
    id               bigserial PRIMARY KEY,
    key_id           text        NOT NULL,  -- the SECRETS_KEY id every readable value was left under
    rewritten        bigint      NOT NULL,
    already_current  bigint      NOT NULL,
    failed           bigint      NOT NULL,  -- unreadable values left as they were (each one logged)
    completed_at     timestamptz NOT NULL DEFAULT now()
);
