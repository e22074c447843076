-- The inventory kept in the portal: an organisation's contacts, retired organisations and
-- services, and the history of every address assignment (who held which address or prefix,
-- from when until when). Same tables and columns as migrations/postgres/0006_inventory.sql.

ALTER TABLE organisations ADD COLUMN abuse_email TEXT;
ALTER TABLE organisations ADD COLUMN billing_email TEXT;
ALTER TABLE organisations ADD COLUMN technical_email TEXT;
ALTER TABLE organisations ADD COLUMN phone TEXT;
ALTER TABLE organisations ADD COLUMN retired_at TEXT;
ALTER TABLE services ADD COLUMN retired_at TEXT;

-- One row per assignment of an address or prefix to a service (and so to its organisation).
-- `range_start`/`range_end`: the first and last address covered, as 32 hexadecimal digits
-- (IPv4 mapped into ::ffff:0:0/96), which sort as the addresses do. An open assignment has no
-- `released_at`. `service_ips` lists the open ones, for the pages that show a service now.
CREATE TABLE address_assignments (
    id               INTEGER PRIMARY KEY,
    block            TEXT NOT NULL,
    range_start      TEXT NOT NULL CHECK (length(range_start) = 32),
    range_end        TEXT NOT NULL CHECK (length(range_end) = 32),
    service_id       INTEGER NOT NULL REFERENCES services (id),
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    assigned_at      TEXT NOT NULL,
    -- NULL when recorded before address history was kept, or by the command line
    assigned_by      INTEGER REFERENCES users (id),
    reason           TEXT NOT NULL,
    released_at      TEXT,
    released_by      INTEGER REFERENCES users (id),
    release_reason   TEXT,
    CHECK (range_start <= range_end),
    CHECK (released_at IS NULL OR released_at >= assigned_at)
);
CREATE INDEX address_assignments_range ON address_assignments (range_start, range_end);
CREATE INDEX address_assignments_service ON address_assignments (service_id, id);
CREATE INDEX address_assignments_org ON address_assignments (organisation_id, id);
-- At most one open assignment of the same block, whatever races.
CREATE UNIQUE INDEX address_assignments_one_open ON address_assignments (block) WHERE released_at IS NULL;

-- Two assignments never cover one address at one time: a new one may not overlap, in addresses
-- and in time, any other. (SQLite's write transactions run one at a time, so the check sees
-- every committed assignment.)
CREATE TRIGGER address_assignments_no_overlap BEFORE INSERT ON address_assignments
WHEN EXISTS (
    SELECT 1 FROM address_assignments a
    WHERE a.range_start <= NEW.range_end AND a.range_end >= NEW.range_start
      AND (a.released_at IS NULL OR a.released_at > NEW.assigned_at)
      AND (NEW.released_at IS NULL OR NEW.released_at > a.assigned_at)
)
BEGIN
    SELECT RAISE(ABORT, 'address assignments overlap: another service holds part of this block at that time');
END;
-- History is kept: an assignment is only ever released, once, and never deleted.
CREATE TRIGGER address_assignments_release_only BEFORE UPDATE ON address_assignments
WHEN OLD.released_at IS NOT NULL OR NEW.released_at IS NULL
    OR NEW.block IS NOT OLD.block OR NEW.range_start IS NOT OLD.range_start
    OR NEW.range_end IS NOT OLD.range_end OR NEW.service_id IS NOT OLD.service_id
    OR NEW.organisation_id IS NOT OLD.organisation_id OR NEW.assigned_at IS NOT OLD.assigned_at
    OR NEW.assigned_by IS NOT OLD.assigned_by OR NEW.reason IS NOT OLD.reason
BEGIN
    SELECT RAISE(ABORT, 'address history cannot be changed; only an open assignment is released');
END;
CREATE TRIGGER address_assignments_no_delete BEFORE DELETE ON address_assignments
BEGIN
    SELECT RAISE(ABORT, 'address history cannot be deleted');
END;
