-- Two-factor sign-in: each account's TOTP secret (sealed under the audit key file, so the
-- database alone holds nothing usable), when it was enabled, the last time step accepted (a
-- code is accepted once), one-time recovery codes (hashed), and organisations that require a
-- second factor of their members. Same tables and columns as migrations/sqlite/0008_two_factor.sql.

ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE organisations ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE recovery_codes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL CHECK (length(code_hash) = 64),
    created_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    UNIQUE (user_id, code_hash)
);
