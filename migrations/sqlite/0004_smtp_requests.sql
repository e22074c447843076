-- Outbound SMTP (port 25): the default restriction as a measure kind of its own, the customer's
-- requests, the staff decisions on them with their reasons, the written approvals (kept
-- unchanged), the DNS check runs, and which service kinds are restricted by default.
-- Same tables and columns as migrations/postgres/0004_smtp_requests.sql.

-- SQLite cannot change a CHECK constraint: the table is rebuilt with the new kind, the link
-- from a measure to the port-25 request that ended or started it, and `started_by` NULL for a
-- measure the portal starts itself (the default restriction on a new service, the automatic
-- re-block when a spam case opens on an address allowed to send).
CREATE TABLE enforcement_actions_new (
    id                  INTEGER PRIMARY KEY,
    service_id          INTEGER NOT NULL REFERENCES services (id),
    notice_id           INTEGER REFERENCES notices (id),
    kind                TEXT NOT NULL CHECK (kind IN ('notification', 'remediation_request', 'port25_block',
                            'port25_restriction', 'rate_limit', 'null_route', 'suspension', 'termination')),
    scope_ip            TEXT,
    scope_port          INTEGER CHECK (scope_port BETWEEN 1 AND 65535),
    reason              TEXT NOT NULL,
    upstream_requested  BOOLEAN NOT NULL,
    started_by          INTEGER REFERENCES users (id),
    starts_at           TEXT NOT NULL,
    ends_at             TEXT,
    ended_by            INTEGER REFERENCES users (id),
    end_reason          TEXT,
    smtp_request_id     INTEGER
);
INSERT INTO enforcement_actions_new (id, service_id, notice_id, kind, scope_ip, scope_port, reason,
    upstream_requested, started_by, starts_at, ends_at, ended_by, end_reason)
SELECT id, service_id, notice_id, kind, scope_ip, scope_port, reason, upstream_requested,
    started_by, starts_at, ends_at, ended_by, end_reason FROM enforcement_actions;
DROP TABLE enforcement_actions;
ALTER TABLE enforcement_actions_new RENAME TO enforcement_actions;
CREATE INDEX enforcement_actions_service ON enforcement_actions (service_id, starts_at, id);
CREATE INDEX enforcement_actions_notice ON enforcement_actions (notice_id, id);

-- Which kinds of service start with port 25 restricted (policy §5: new accounts, trials,
-- suspicious workloads). Every kind does until an administrator says otherwise.
CREATE TABLE port25_defaults (
    service_kind  TEXT PRIMARY KEY,
    restricted    BOOLEAN NOT NULL
);
INSERT INTO port25_defaults (service_kind, restricted) VALUES
    ('vps', TRUE), ('vds', TRUE), ('cloud_server', TRUE), ('dedicated_cloud_server', TRUE),
    ('cloud_compute_standard', TRUE), ('cloud_compute_high_performance', TRUE),
    ('cloud_compute_high_frequency', TRUE), ('optimized_general_purpose', TRUE),
    ('optimized_cpu', TRUE), ('optimized_memory', TRUE), ('optimized_storage', TRUE),
    ('dedicated_server', TRUE), ('gpu_cloud_instance', TRUE), ('dedicated_gpu_server', TRUE),
    ('multi_gpu_cluster', TRUE), ('hpc_node', TRUE), ('ai_bare_metal', TRUE);

CREATE TABLE smtp_requests (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    service_id       INTEGER NOT NULL REFERENCES services (id),
    ip               TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'rejected',
                         'revoked', 'suspended', 'withdrawn')),
    -- the form as typed (JSON), kept for drafts and refused submissions
    form             TEXT NOT NULL,
    -- the checked request (JSON) from submission on
    details          TEXT,
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    submitted_at     TEXT,
    -- the approval in force (or suspended), with its conditions
    approval_id      INTEGER,
    review_due_on    TEXT
);
-- One live request per address, whatever races: pending, approved or suspended.
CREATE UNIQUE INDEX smtp_requests_one_live_per_ip ON smtp_requests (ip)
    WHERE status IN ('pending', 'approved', 'suspended');
CREATE INDEX smtp_requests_queue ON smtp_requests (status, submitted_at, id);
CREATE INDEX smtp_requests_org ON smtp_requests (organisation_id, id);
CREATE INDEX smtp_requests_service ON smtp_requests (service_id, id);

-- What happened to a request, with the written reason the customer reads.
CREATE TABLE smtp_request_events (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES smtp_requests (id),
    at          TEXT NOT NULL,
    -- NULL when the portal itself acted (an automatic suspension)
    actor_id    INTEGER REFERENCES users (id),
    actor_role  TEXT NOT NULL,
    event       TEXT NOT NULL,
    reason      TEXT
);
CREATE INDEX smtp_request_events_request ON smtp_request_events (request_id, id);

-- The written approvals: numbered, dated, naming everything they approve, never changed.
CREATE TABLE smtp_approvals (
    id               INTEGER PRIMARY KEY,
    request_id       INTEGER NOT NULL REFERENCES smtp_requests (id),
    number           TEXT NOT NULL UNIQUE,
    issued_at        TEXT NOT NULL,
    approved_by      INTEGER NOT NULL REFERENCES users (id),
    approver_role    TEXT NOT NULL,
    approval_text    TEXT NOT NULL,
    daily_cap        BIGINT,
    probation_until  TEXT,
    -- the document as issued (JSON): organisation, service, address, use case, conditions
    document         TEXT NOT NULL
);
CREATE INDEX smtp_approvals_request ON smtp_approvals (request_id, id);
CREATE TRIGGER smtp_approvals_no_update BEFORE UPDATE ON smtp_approvals
BEGIN
    SELECT RAISE(ABORT, 'written approvals cannot be changed');
END;
CREATE TRIGGER smtp_approvals_no_delete BEFORE DELETE ON smtp_approvals
BEGIN
    SELECT RAISE(ABORT, 'written approvals cannot be deleted');
END;

-- Each run of the DNS checks: when, for whom, and the results (JSON list).
CREATE TABLE smtp_check_runs (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES smtp_requests (id),
    run_at      TEXT NOT NULL,
    run_by      INTEGER REFERENCES users (id),
    passed      INTEGER NOT NULL,
    failed      INTEGER NOT NULL,
    unknown     INTEGER NOT NULL,
    results     TEXT NOT NULL
);
CREATE INDEX smtp_check_runs_request ON smtp_check_runs (request_id, id);
