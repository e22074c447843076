-- The inventory kept in the portal: an organisation's contacts, retired organisations and
-- services, and the history of every address assignment (who held which address or prefix,
-- from when until when). Same tables and columns as migrations/sqlite/0006_inventory.sql.

ALTER TABLE organisations ADD COLUMN abuse_email TEXT;
ALTER TABLE organisations ADD COLUMN billing_email TEXT;
ALTER TABLE organisations ADD COLUMN technical_email TEXT;
ALTER TABLE organisations ADD COLUMN phone TEXT;
ALTER TABLE organisations ADD COLUMN retired_at TIMESTAMPTZ;
ALTER TABLE services ADD COLUMN retired_at TIMESTAMPTZ;

-- One row per assignment of an address or prefix to a service (and so to its organisation).
-- `range_start`/`range_end`: the first and last address covered, as 32 hexadecimal digits
-- (IPv4 mapped into ::ffff:0:0/96), which sort as the addresses do. An open assignment has no
-- `released_at`. `service_ips` lists the open ones, for the pages that show a service now.
CREATE TABLE address_assignments (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    block            TEXT NOT NULL,
    -- COLLATE "C": the keys compare byte by byte, as on SQLite, whatever the database's locale
    range_start      TEXT COLLATE "C" NOT NULL CHECK (length(range_start) = 32),
    range_end        TEXT COLLATE "C" NOT NULL CHECK (length(range_end) = 32),
    service_id       BIGINT NOT NULL REFERENCES services (id),
    organisation_id  BIGINT NOT NULL REFERENCES organisations (id),
    assigned_at      TIMESTAMPTZ NOT NULL,
    -- NULL when recorded before address history was kept, or by the command line
    assigned_by      BIGINT REFERENCES users (id),
    reason           TEXT NOT NULL,
    released_at      TIMESTAMPTZ,
    released_by      BIGINT REFERENCES users (id),
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
-- and in time, any other. Inserts take a transaction-scoped advisory lock first, so concurrent
-- transactions check one after the other and each sees what the one before committed.
CREATE FUNCTION address_assignments_refuse_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(5006001);
    IF EXISTS (
        SELECT 1 FROM address_assignments a
        WHERE a.range_start <= NEW.range_end AND a.range_end >= NEW.range_start
          AND (a.released_at IS NULL OR a.released_at > NEW.assigned_at)
          AND (NEW.released_at IS NULL OR NEW.released_at > a.assigned_at)
    ) THEN
        RAISE EXCEPTION 'address assignments overlap: another service holds part of this block at that time';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER address_assignments_no_overlap BEFORE INSERT ON address_assignments
    FOR EACH ROW EXECUTE FUNCTION address_assignments_refuse_overlap();

-- History is kept: an assignment is only ever released, once, and never deleted.
CREATE FUNCTION address_assignments_release_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'address history cannot be deleted';
    END IF;
    IF OLD.released_at IS NOT NULL OR NEW.released_at IS NULL
       OR NEW.block IS DISTINCT FROM OLD.block OR NEW.range_start IS DISTINCT FROM OLD.range_start
       OR NEW.range_end IS DISTINCT FROM OLD.range_end OR NEW.service_id IS DISTINCT FROM OLD.service_id
       OR NEW.organisation_id IS DISTINCT FROM OLD.organisation_id OR NEW.assigned_at IS DISTINCT FROM OLD.assigned_at
       OR NEW.assigned_by IS DISTINCT FROM OLD.assigned_by OR NEW.reason IS DISTINCT FROM OLD.reason THEN
        RAISE EXCEPTION 'address history cannot be changed; only an open assignment is released';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER address_assignments_release_only BEFORE UPDATE OR DELETE ON address_assignments
    FOR EACH ROW EXECUTE FUNCTION address_assignments_release_only();
CREATE TRIGGER address_assignments_no_truncate BEFORE TRUNCATE ON address_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION address_assignments_release_only();
