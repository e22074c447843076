-- In-app notifications: one row per person told, read when opened (the unread ones are counted
-- in the navigation on every page, hence the partial index).
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
