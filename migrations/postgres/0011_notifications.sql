-- In-app notifications: one row per person told, read when opened (the unread ones are counted
-- in the navigation on every page, hence the partial index); and the outbox of mails, written in
-- the transaction of the change they tell of and sent by the mail job, with its attempts; and
-- when each notice's deadline reminders went out.
-- Same tables and columns as migrations/sqlite/0011_notifications.sql.

CREATE TABLE notifications (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    -- a path inside the portal
    link        TEXT NOT NULL CHECK (substr(link, 1, 1) = '/'),
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    sent_at          TIMESTAMPTZ,
    -- after the last attempt failed: kept, with the error, for staff
    gave_up_at       TIMESTAMPTZ,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND gave_up_at IS NULL;

-- the reminders 24 h and 4 h before a notice's deadline, each sent once (cleared when the
-- deadline moves)
ALTER TABLE notices ADD COLUMN reminded_24h_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN reminded_4h_at TIMESTAMPTZ;
