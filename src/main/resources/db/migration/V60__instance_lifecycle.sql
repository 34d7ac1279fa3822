-- The owner's connection lifecycle (pairing, logout, reconnect) and webhook drift repair.
-- qr_code_count: how many QR codes the instance's current session has shown, as connect last reported it; Evolution
-- ends a session at QRCODE_LIMIT codes, and connect says so to the owner.
-- webhook_verified_at: when the instance's webhook was last read back from Evolution; the verifier takes the oldest
-- first, so every instance is checked once per WEBHOOK_VERIFY_INTERVAL.
ALTER TABLE evolution_instances
    ADD COLUMN qr_code_count integer NOT NULL DEFAULT 0 CHECK (qr_code_count >= 0),
    ADD COLUMN webhook_verified_at timestamptz;

CREATE INDEX evolution_instances_webhook_verified_at ON evolution_instances (webhook_verified_at NULLS FIRST, id);
