-- Billing (policy §5 and §6): invoices drafted from a case and issued with gapless numbers per
-- year, their lines, credit notes (waivers are credit notes too), the append-only payment
-- ledger, Stripe Checkout sessions and the webhook events applied, and the abuse desk's holds
-- that keep a service suspended whatever is paid. Amounts are integer minor units (cents).
-- Same tables and columns as migrations/sqlite/0005_billing.sql.

-- The last number given in each series ('invoice', 'credit_note', 'receipt') and year. Taken
-- in the transaction that issues the document, so a rollback gives the number back: no gaps.
CREATE TABLE document_counters (
    series  TEXT NOT NULL CHECK (series IN ('invoice', 'credit_note', 'receipt')),
    year    INTEGER NOT NULL,
    last    BIGINT NOT NULL CHECK (last >= 1),
    PRIMARY KEY (series, year)
);

CREATE TABLE invoices (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id      BIGINT NOT NULL REFERENCES organisations (id),
    notice_id            BIGINT NOT NULL REFERENCES notices (id),
    service_id           BIGINT NOT NULL REFERENCES services (id),
    status               TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'paid', 'waived', 'void')),
    currency             TEXT NOT NULL CHECK (currency IN ('USD')),
    -- policy §5: must be settled before the case's suspension ends
    blocks_reactivation  BOOLEAN NOT NULL,
    -- set when issued, never changed after
    year                 INTEGER,
    seq                  BIGINT,
    number               TEXT UNIQUE,
    payment_reference    TEXT UNIQUE,
    total_minor          BIGINT CHECK (total_minor > 0),
    issued_at            TIMESTAMPTZ,
    due_on               DATE,
    issued_by            BIGINT REFERENCES users (id),
    -- the ledger's sums, kept in the transaction of each payment or credit
    paid_minor           BIGINT NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
    credited_minor       BIGINT NOT NULL DEFAULT 0 CHECK (credited_minor >= 0),
    settled_at           TIMESTAMPTZ,
    created_by           BIGINT NOT NULL REFERENCES users (id),
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    void_reason          TEXT,
    UNIQUE (year, seq),
    CHECK ((number IS NULL) = (status IN ('draft', 'void'))),
    CHECK ((number IS NULL) = (total_minor IS NULL))
);
CREATE INDEX invoices_org ON invoices (organisation_id, id);
CREATE INDEX invoices_notice ON invoices (notice_id, id);
CREATE INDEX invoices_service ON invoices (service_id, id);
CREATE INDEX invoices_status ON invoices (status, id);

CREATE TABLE invoice_lines (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id    BIGINT NOT NULL REFERENCES invoices (id),
    kind          TEXT NOT NULL CHECK (kind IN ('liquidated_damages', 'remediation_fee',
                      'blacklist_removal_fee', 'reactivation_fee', 'upstream_fine', 'rbl_removal_fee', 'labour')),
    -- events (damages), hundredths of an hour (labour), else 1
    quantity      BIGINT NOT NULL CHECK (quantity >= 0),
    unit_minor    BIGINT NOT NULL CHECK (unit_minor > 0),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    source        TEXT,
    note          TEXT
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, id);

-- Credit notes: a correction, one line waived, or the rest of the invoice waived; each numbered.
CREATE TABLE invoice_credits (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id    BIGINT NOT NULL REFERENCES invoices (id),
    kind          TEXT NOT NULL CHECK (kind IN ('credit_note', 'line_waiver', 'invoice_waiver')),
    number        TEXT NOT NULL UNIQUE,
    line_id       BIGINT REFERENCES invoice_lines (id),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    reason        TEXT NOT NULL,
    created_by    BIGINT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK ((kind = 'line_waiver') = (line_id IS NOT NULL))
);
CREATE INDEX invoice_credits_invoice ON invoice_credits (invoice_id, id);
CREATE UNIQUE INDEX invoice_credits_one_waiver_per_line ON invoice_credits (line_id) WHERE line_id IS NOT NULL;

-- The payment ledger: append-only. The idempotency key makes a double click, a retried request
-- or a replayed webhook one payment; the external id is Stripe's (or the bank's) for it.
CREATE TABLE payments (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id       BIGINT NOT NULL REFERENCES invoices (id),
    method           TEXT NOT NULL CHECK (method IN ('bank_transfer', 'card')),
    amount_minor     BIGINT NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL CHECK (currency IN ('USD')),
    received_on      DATE NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL,
    -- NULL when Stripe's webhook recorded it
    recorded_by      BIGINT REFERENCES users (id),
    idempotency_key  TEXT NOT NULL UNIQUE,
    external_id      TEXT UNIQUE,
    -- the reference as the bank statement shows it
    reference        TEXT,
    note             TEXT,
    receipt_number   TEXT NOT NULL UNIQUE
);
CREATE INDEX payments_invoice ON payments (invoice_id, id);

-- Card payments asked of Stripe: one per form submission (its idempotency key), so a double
-- click opens one Checkout Session.
CREATE TABLE checkout_sessions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id       BIGINT NOT NULL REFERENCES invoices (id),
    idempotency_key  TEXT NOT NULL UNIQUE,
    stripe_id        TEXT UNIQUE,
    url              TEXT,
    amount_minor     BIGINT NOT NULL CHECK (amount_minor > 0),
    created_by       BIGINT NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX checkout_sessions_invoice ON checkout_sessions (invoice_id, id);

-- Each Stripe event applied once, whatever Stripe retries or replays.
CREATE TABLE stripe_events (
    event_id     TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    outcome      TEXT NOT NULL
);

-- The abuse desk keeps a case's service suspended by hand, whatever is paid or accepted.
CREATE TABLE suspension_holds (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id       BIGINT NOT NULL REFERENCES notices (id),
    reason          TEXT NOT NULL,
    held_by         BIGINT NOT NULL REFERENCES users (id),
    held_at         TIMESTAMPTZ NOT NULL,
    released_by     BIGINT REFERENCES users (id),
    released_at     TIMESTAMPTZ,
    release_reason  TEXT
);
CREATE UNIQUE INDEX suspension_holds_one_open ON suspension_holds (notice_id) WHERE released_at IS NULL;

-- An issued invoice is a document: only its status and ledger sums move.
CREATE FUNCTION invoices_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoices cannot be deleted; void a draft instead';
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.organisation_id IS DISTINCT FROM OLD.organisation_id OR NEW.notice_id IS DISTINCT FROM OLD.notice_id
        OR NEW.service_id IS DISTINCT FROM OLD.service_id OR NEW.currency IS DISTINCT FROM OLD.currency
        OR NEW.blocks_reactivation IS DISTINCT FROM OLD.blocks_reactivation OR NEW.year IS DISTINCT FROM OLD.year
        OR NEW.seq IS DISTINCT FROM OLD.seq OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.payment_reference IS DISTINCT FROM OLD.payment_reference OR NEW.total_minor IS DISTINCT FROM OLD.total_minor
        OR NEW.issued_at IS DISTINCT FROM OLD.issued_at OR NEW.due_on IS DISTINCT FROM OLD.due_on
        OR NEW.issued_by IS DISTINCT FROM OLD.issued_by OR NEW.created_by IS DISTINCT FROM OLD.created_by
        OR NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.void_reason IS DISTINCT FROM OLD.void_reason
        OR NEW.status = 'draft') THEN
        RAISE EXCEPTION 'issued invoices cannot be changed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER invoices_issued_unchanged BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_refuse_change();

CREATE FUNCTION invoice_lines_draft_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    invoice_status TEXT;
BEGIN
    SELECT status INTO invoice_status FROM invoices
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
    IF invoice_status <> 'draft' THEN
        RAISE EXCEPTION 'lines of an issued invoice cannot be changed';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER invoice_lines_draft_only BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_lines_draft_only();

CREATE FUNCTION billing_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% entries cannot be changed or deleted', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER invoice_credits_no_change BEFORE UPDATE OR DELETE ON invoice_credits
    FOR EACH ROW EXECUTE FUNCTION billing_ledger_refuse_change();
CREATE TRIGGER invoice_credits_no_truncate BEFORE TRUNCATE ON invoice_credits
    FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_refuse_change();
CREATE TRIGGER payments_no_change BEFORE UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION billing_ledger_refuse_change();
CREATE TRIGGER payments_no_truncate BEFORE TRUNCATE ON payments
    FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_refuse_change();
