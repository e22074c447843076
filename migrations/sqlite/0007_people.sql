-- People: accounts that can be disabled (which ends their sessions), customer organisations'
-- owners (who invite and remove colleagues of their own organisation), and invitations by
-- e-mail address, stored as the SHA-256 of their one-time token.
-- Same tables and columns as migrations/postgres/0007_people.sql.

ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN org_owner BOOLEAN NOT NULL DEFAULT FALSE;

-- Every organisation that has customers gets an owner: its first account.
UPDATE users SET org_owner = TRUE
WHERE role = 'customer'
  AND id IN (SELECT MIN(id) FROM users WHERE role = 'customer' GROUP BY organisation_id);

CREATE TABLE invitations (
    id               INTEGER PRIMARY KEY,
    token_hash       TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    email            TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('customer', 'staff', 'admin')),
    organisation_id  INTEGER REFERENCES organisations (id),
    org_owner        BOOLEAN NOT NULL DEFAULT FALSE,
    invited_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    accepted_at      TEXT,
    accepted_user    INTEGER REFERENCES users (id),
    revoked_at       TEXT,
    CHECK ((role = 'customer') = (organisation_id IS NOT NULL))
);
CREATE INDEX invitations_org ON invitations (organisation_id, id);
CREATE INDEX invitations_email ON invitations (email, id);
