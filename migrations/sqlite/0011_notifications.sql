-- In-app notifications: one row per person told, read when opened (the unread ones are counted
-- in the navigation on every page, hence the partial index); and the outbox of mails, written in
-- the transaction of the change they tell of and sent by the mail job, with its attempts; and
-- when each notice's deadline reminders went out.
-- Same tables and columns as migrations/postgres/0011_notifications.sql.

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    -- a path inside the portal
    link        TEXT NOT NULL CHECK (substr(link, 1, 1) = '/'),
    created_at  TEXT NOT NULL,
    read_at     TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    sent_at          TEXT,
    -- after the last attempt failed: kept, with the error, for staff
    gave_up_at       TEXT,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND gave_up_at IS NULL;

-- the reminders 24 h and 4 h before a notice's deadline, each sent once (cleared when the
-- deadline moves)
ALTER TABLE notices ADD COLUMN reminded_24h_at TEXT;
ALTER TABLE notices ADD COLUMN reminded_4h_at TEXT;
