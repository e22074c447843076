-- People: accounts that can be disabled (which ends their sessions), customer organisations'
-- owners (who invite and remove colleagues of their own organisation), and invitations by
-- e-mail address, stored as the SHA-256 of their one-time token.
-- Same tables and columns as migrations/sqlite/0007_people.sql.

ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN org_owner BOOLEAN NOT NULL DEFAULT FALSE;

-- Every organisation that has customers gets an owner: its first account.
UPDATE users SET org_owner = TRUE
WHERE role = 'customer'
  AND id IN (SELECT MIN(id) FROM users WHERE role = 'customer' GROUP BY organisation_id);

CREATE TABLE invitations (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash       TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    email            TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('customer', 'staff', 'admin')),
    organisation_id  BIGINT REFERENCES organisations (id),
    org_owner        BOOLEAN NOT NULL DEFAULT FALSE,
    invited_by       BIGINT NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    accepted_at      TIMESTAMPTZ,
    accepted_user    BIGINT REFERENCES users (id),
    revoked_at       TIMESTAMPTZ,
    CHECK ((role = 'customer') = (organisation_id IS NOT NULL))
);
CREATE INDEX invitations_org ON invitations (organisation_id, id);
CREATE INDEX invitations_email ON invitations (email, id);
