-- Two-factor sign-in: each account's TOTP secret (sealed under the audit key file, so the
-- database alone holds nothing usable), when it was enabled, the last time step accepted (a
-- code is accepted once), one-time recovery codes (hashed), and organisations that require a
-- second factor of their members. Same tables and columns as migrations/postgres/0008_two_factor.sql.

ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE organisations ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL CHECK (length(code_hash) = 64),
    created_at TEXT NOT NULL,
    used_at    TEXT,
    UNIQUE (user_id, code_hash)
);
