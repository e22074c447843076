-- Hardening the foundation: sessions know their user, the sign-in throttle keeps one streak per
-- key, audit entries name the key that sealed them and can no longer be changed or deleted, a
-- provider-wide audit log for what belongs to no case, and evidence files stored per upload.
-- Same tables and columns as migrations/sqlite/0003_hardening.sql.

-- Every session of a user can be listed and ended (sign out everywhere, a disabled account).
ALTER TABLE sessions ADD COLUMN user_id BIGINT REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX sessions_user ON sessions (user_id);

-- One row per throttled key (`account:<e-mail>`, `address:<ip or /64>`): the failures of its
-- current streak, reserved attempts included, and when the last was counted.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    key       TEXT PRIMARY KEY,
    failures  BIGINT NOT NULL CHECK (failures >= 0),
    last_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_throttle_last ON login_throttle (last_at);

-- Entries written before keying carry 'legacy' until `portal audit reseal-legacy` seals them.
ALTER TABLE audit_entries ADD COLUMN key_id TEXT NOT NULL DEFAULT 'legacy';

-- The trail is append-only. The one change allowed is sealing a legacy entry, content unchanged.
CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.key_id = 'legacy' AND NEW.key_id <> 'legacy'
           AND NEW.notice_id = OLD.notice_id AND NEW.seq = OLD.seq AND NEW.at = OLD.at
           AND NEW.actor = OLD.actor AND NEW.action = OLD.action AND NEW.detail = OLD.detail THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit trail entries cannot be changed';
    END IF;
    RAISE EXCEPTION 'audit trail entries cannot be deleted';
END
$$;
CREATE FUNCTION audit_refuse_any_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit trail entries cannot be changed or deleted';
END
$$;
CREATE TRIGGER audit_entries_immutable BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_any_change();

-- Events that belong to no case (a measure on a service without a case, …): one sealed chain,
-- whose length and last seal are kept in its single head row, as a case keeps its own.
CREATE TABLE provider_audit_entries (
    seq        BIGINT PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE TABLE provider_audit_head (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    count  BIGINT NOT NULL,
    head   TEXT NOT NULL
);
INSERT INTO provider_audit_head (id, count, head) VALUES (1, 0, '');
CREATE TRIGGER provider_audit_entries_immutable BEFORE UPDATE OR DELETE ON provider_audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_any_change();
CREATE TRIGGER provider_audit_entries_no_truncate BEFORE TRUNCATE ON provider_audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_any_change();

-- Each upload is stored under a name of its own (`<sha256>-<random>`), so that removing one
-- upload's file never touches another's. NULL: stored before, under the bare SHA-256.
ALTER TABLE evidence_files ADD COLUMN storage_name TEXT;
