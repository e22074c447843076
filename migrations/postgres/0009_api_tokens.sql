-- API tokens for the provider's own systems (the inventory REST API): a name, what the token
-- may do, the admin it acts for, and the SHA-256 of the token (the token itself is shown once).
-- Same tables and columns as migrations/sqlite/0009_api_tokens.sql.

CREATE TABLE api_tokens (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    scopes        TEXT NOT NULL,
    created_by    BIGINT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
