-- Time zones people read times in, and who receives which mail: each user's zone and the kinds
-- of news they asked to receive by mail themselves; each organisation's zone (for the mails to
-- its contact addresses) and which kinds of news go to its abuse, technical and billing
-- contacts (kinds spelled as stored, separated by commas; the defaults are what was sent before
-- the choice existed); and, on each mail in the outbox, what it is about and for whom, so
-- that staff can find the mails that did not go out.
-- Same columns as migrations/postgres/0012_zones_and_mail_routes.sql.

ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE users ADD COLUMN mail_kinds TEXT NOT NULL DEFAULT '';

ALTER TABLE organisations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE organisations ADD COLUMN abuse_mail_kinds TEXT NOT NULL
    DEFAULT 'notice_opened,deadline_soon,notice_overdue,notice_decision';
ALTER TABLE organisations ADD COLUMN technical_mail_kinds TEXT NOT NULL DEFAULT 'port25_decision';
ALTER TABLE organisations ADD COLUMN billing_mail_kinds TEXT NOT NULL DEFAULT 'invoice_issued';

ALTER TABLE outbox ADD COLUMN organisation_id INTEGER REFERENCES organisations (id);
ALTER TABLE outbox ADD COLUMN kind TEXT;
-- staff list the mails newest first (the primary key), or only those given up or being retried
CREATE INDEX outbox_given_up ON outbox (id) WHERE gave_up_at IS NOT NULL;
CREATE INDEX outbox_retrying ON outbox (id) WHERE sent_at IS NULL AND gave_up_at IS NULL AND attempts > 0;
