-- Abuse reports coming in (ARF, X-ARF, the public and DSA forms): every intake kept, read or not
-- (a failed one with its exact reason, never the report's payload: its size and SHA-256 only),
-- the events each names, the cases that wait for staff to verify them, the escalation level of
-- notices, and fixed-window counters for the public forms' rate limit.
-- Same tables and columns as migrations/sqlite/0010_report_intake.sql.

CREATE TABLE report_intakes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at     TIMESTAMPTZ NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('api', 'mailbox', 'web_form', 'dsa_form')),
    format          TEXT NOT NULL CHECK (format IN ('arf', 'xarf', 'web_form', 'dsa_notice', 'unknown')),
    status          TEXT NOT NULL CHECK (status IN ('accepted', 'failed')),
    -- why it could not be read (failed only)
    failure         TEXT,
    -- who reported: an address or an organisation, as the report says
    reporter        TEXT,
    -- the report's own identifier (X-ARF report_id, Message-ID)
    external_id     TEXT,
    byte_count      BIGINT NOT NULL,
    sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
    -- the fields kept for staff, as a JSON array of [name, value]
    kept_fields     TEXT NOT NULL,
    -- the reporter's own words (the public and DSA forms)
    description     TEXT,
    -- the admin whose API token sent it, or who ran `portal ingest`
    received_by     BIGINT REFERENCES users (id),
    client_address  TEXT,
    event_count     BIGINT NOT NULL,
    CHECK ((status = 'failed') = (failure IS NOT NULL))
);
CREATE INDEX report_intakes_status ON report_intakes (status, id);
-- a report sent again (same identifier from the same reporter) is recognised, not counted twice
CREATE INDEX report_intakes_external ON report_intakes (external_id) WHERE external_id IS NOT NULL;

-- reported cases that wait for staff: one live per service and category
CREATE TABLE pending_cases (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT NOT NULL REFERENCES organisations (id),
    service_id       BIGINT NOT NULL REFERENCES services (id),
    category         TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('needs_verification', 'verified', 'dismissed')),
    event_count      BIGINT NOT NULL CHECK (event_count >= 1),
    first_seen_at    TIMESTAMPTZ NOT NULL,
    last_seen_at     TIMESTAMPTZ NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    notice_id        BIGINT REFERENCES notices (id),
    decided_by       BIGINT REFERENCES users (id),
    decided_at       TIMESTAMPTZ,
    decision_reason  TEXT
);
CREATE UNIQUE INDEX pending_cases_live ON pending_cases (service_id, category) WHERE state = 'needs_verification';
CREATE INDEX pending_cases_state ON pending_cases (state, id);

CREATE TABLE report_events (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    intake_id        BIGINT NOT NULL REFERENCES report_intakes (id),
    source           TEXT NOT NULL,
    occurred_at      TIMESTAMPTZ NOT NULL,
    category         TEXT NOT NULL,
    incidents        BIGINT NOT NULL CHECK (incidents >= 1),
    detail           TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('added_to_case', 'needs_verification', 'unmatched', 'verified', 'dismissed')),
    -- the holder at the time, when one was found, and the block it held
    organisation_id  BIGINT REFERENCES organisations (id),
    service_id       BIGINT REFERENCES services (id),
    block            TEXT,
    notice_id        BIGINT REFERENCES notices (id),
    pending_id       BIGINT REFERENCES pending_cases (id),
    decided_by       BIGINT REFERENCES users (id),
    decided_at       TIMESTAMPTZ,
    decision_reason  TEXT
);
CREATE INDEX report_events_intake ON report_events (intake_id, id);
CREATE INDEX report_events_state ON report_events (state, id);
CREATE INDEX report_events_pending ON report_events (pending_id, id);
CREATE INDEX report_events_notice ON report_events (notice_id, id);

-- the highest escalation threshold a notice's verified events reached (0: none)
ALTER TABLE notices ADD COLUMN escalation_level BIGINT NOT NULL DEFAULT 0;

CREATE TABLE rate_windows (
    key           TEXT NOT NULL,
    window_start  TIMESTAMPTZ NOT NULL,
    hits          BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
