-- Abuse cases: notices and their IP addresses, the hash-chained audit trail, internal notes,
-- evidence submissions and files, disputes, enforcement actions, and leases for jobs that must
-- run in one process only.

CREATE TABLE notices (
    id                 INTEGER PRIMARY KEY,
    organisation_id    INTEGER NOT NULL REFERENCES organisations (id),
    service_id         INTEGER NOT NULL REFERENCES services (id),
    category           TEXT NOT NULL CHECK (category IN ('spam', 'phishing', 'fraud', 'malware', 'botnet',
                           'ddos', 'scanning', 'brute_force', 'spoofing', 'open_relay', 'spamvertising', 'blacklisting')),
    source             TEXT NOT NULL CHECK (source IN ('third_party_report', 'blacklist_listing',
                           'upstream_provider', 'automated_detection')),
    state              TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'evidence_submitted', 'under_review',
                           'evidence_rejected', 'disputed', 'upheld', 'overdue', 'resolved', 'withdrawn', 'closed')),
    high_risk          BOOLEAN NOT NULL,
    -- what was observed, without message payloads (policy §7)
    summary            TEXT NOT NULL,
    event_count        BIGINT NOT NULL CHECK (event_count >= 1),
    first_seen_at      TEXT NOT NULL,
    last_seen_at       TEXT NOT NULL,
    -- the verification of the report is a recorded step
    verification_note  TEXT NOT NULL,
    verified_by        INTEGER NOT NULL REFERENCES users (id),
    notified_at        TEXT NOT NULL,
    deadline_at        TEXT NOT NULL,
    -- set when the deadline is not the standard 48 hours
    deadline_reason    TEXT,
    updated_at         TEXT NOT NULL,
    -- the last audit entry's hash and the number of entries: a truncated trail is detected
    audit_head         TEXT NOT NULL,
    audit_count        BIGINT NOT NULL,
    CHECK (first_seen_at <= last_seen_at)
);
-- customer list: newest first, or most urgent first
CREATE INDEX notices_org_newest ON notices (organisation_id, id);
CREATE INDEX notices_org_deadline ON notices (organisation_id, deadline_at, id);
CREATE INDEX notices_service ON notices (service_id, id);
-- staff queue by deadline, and per state (counts, overdue first)
CREATE INDEX notices_deadline ON notices (deadline_at, id);
CREATE INDEX notices_state_deadline ON notices (state, deadline_at, id);

CREATE TABLE notice_ips (
    notice_id  INTEGER NOT NULL REFERENCES notices (id),
    address    TEXT NOT NULL,
    PRIMARY KEY (notice_id, address)
);
CREATE INDEX notice_ips_address ON notice_ips (address);

CREATE TABLE audit_entries (
    notice_id  INTEGER NOT NULL REFERENCES notices (id),
    seq        BIGINT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (notice_id, seq)
);

CREATE TABLE internal_notes (
    id          INTEGER PRIMARY KEY,
    notice_id   INTEGER NOT NULL REFERENCES notices (id),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX internal_notes_notice ON internal_notes (notice_id, id);

CREATE TABLE evidence_submissions (
    id               INTEGER PRIMARY KEY,
    notice_id        INTEGER NOT NULL REFERENCES notices (id),
    submitted_by     INTEGER NOT NULL REFERENCES users (id),
    submitted_at     TEXT NOT NULL,
    cause            TEXT NOT NULL,
    fix              TEXT NOT NULL,
    prevention       TEXT NOT NULL,
    decision         TEXT CHECK (decision IN ('accepted', 'rejected')),
    decided_by       INTEGER REFERENCES users (id),
    decided_at       TEXT,
    decision_reason  TEXT,
    CHECK ((decision IS NULL) = (decided_at IS NULL))
);
CREATE INDEX evidence_submissions_notice ON evidence_submissions (notice_id, id);

CREATE TABLE evidence_files (
    id             INTEGER PRIMARY KEY,
    submission_id  INTEGER NOT NULL REFERENCES evidence_submissions (id),
    kind           TEXT NOT NULL CHECK (kind IN ('log_excerpt', 'malware_scan', 'delisting_proof',
                       'configuration_change', 'other')),
    display_name   TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL CHECK (size_bytes > 0),
    detected_type  TEXT NOT NULL CHECK (detected_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp',
                       'application/pdf', 'text/plain')),
    -- lower-case hex; the file's name under the data directory
    sha256         TEXT NOT NULL CHECK (length(sha256) = 64)
);
CREATE INDEX evidence_files_submission ON evidence_files (submission_id, id);
CREATE INDEX evidence_files_sha256 ON evidence_files (sha256);

CREATE TABLE disputes (
    id                    INTEGER PRIMARY KEY,
    notice_id             INTEGER NOT NULL REFERENCES notices (id),
    submitted_by          INTEGER NOT NULL REFERENCES users (id),
    submitted_at          TEXT NOT NULL,
    reasons               TEXT NOT NULL,
    outcome               TEXT CHECK (outcome IN ('upheld', 'withdrawn')),
    decided_by            INTEGER REFERENCES users (id),
    decided_at            TEXT,
    -- the statement of reasons the customer sees
    statement_of_reasons  TEXT,
    CHECK ((outcome IS NULL) = (decided_at IS NULL))
);
CREATE INDEX disputes_notice ON disputes (notice_id, id);

CREATE TABLE enforcement_actions (
    id                  INTEGER PRIMARY KEY,
    service_id          INTEGER NOT NULL REFERENCES services (id),
    notice_id           INTEGER REFERENCES notices (id),
    kind                TEXT NOT NULL CHECK (kind IN ('notification', 'remediation_request', 'port25_block',
                            'rate_limit', 'null_route', 'suspension', 'termination')),
    scope_ip            TEXT,
    scope_port          INTEGER CHECK (scope_port BETWEEN 1 AND 65535),
    reason              TEXT NOT NULL,
    upstream_requested  BOOLEAN NOT NULL,
    started_by          INTEGER NOT NULL REFERENCES users (id),
    starts_at           TEXT NOT NULL,
    ends_at             TEXT,
    ended_by            INTEGER REFERENCES users (id),
    end_reason          TEXT
);
CREATE INDEX enforcement_actions_service ON enforcement_actions (service_id, starts_at, id);
CREATE INDEX enforcement_actions_notice ON enforcement_actions (notice_id, id);

-- A job that must run in exactly one process holds its lease until `expires_at`; another
-- process takes it over only after it expires.
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
