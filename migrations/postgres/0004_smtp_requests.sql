-- Outbound SMTP (port 25): the default restriction as a measure kind of its own, the customer's
-- requests, the staff decisions on them with their reasons, the written approvals (kept
-- unchanged), the DNS check runs, and which service kinds are restricted by default.
-- Same tables and columns as migrations/sqlite/0004_smtp_requests.sql.

ALTER TABLE enforcement_actions DROP CONSTRAINT enforcement_actions_kind_check;
ALTER TABLE enforcement_actions ADD CONSTRAINT enforcement_actions_kind_check
    CHECK (kind IN ('notification', 'remediation_request', 'port25_block', 'port25_restriction',
                    'rate_limit', 'null_route', 'suspension', 'termination'));
-- The port-25 request whose approval ended the measure, or whose revocation started it.
ALTER TABLE enforcement_actions ADD COLUMN smtp_request_id BIGINT;
-- NULL for a measure the portal starts itself (the default restriction on a new service, the
-- automatic re-block when a spam case opens on an address allowed to send).
ALTER TABLE enforcement_actions ALTER COLUMN started_by DROP NOT NULL;

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
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  BIGINT NOT NULL REFERENCES organisations (id),
    service_id       BIGINT NOT NULL REFERENCES services (id),
    ip               TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'rejected',
                         'revoked', 'suspended', 'withdrawn')),
    -- the form as typed (JSON), kept for drafts and refused submissions
    form             TEXT NOT NULL,
    -- the checked request (JSON) from submission on
    details          TEXT,
    created_by       BIGINT NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    submitted_at     TIMESTAMPTZ,
    -- the approval in force (or suspended), with its conditions
    approval_id      BIGINT,
    review_due_on    DATE
);
-- One live request per address, whatever races: pending, approved or suspended.
CREATE UNIQUE INDEX smtp_requests_one_live_per_ip ON smtp_requests (ip)
    WHERE status IN ('pending', 'approved', 'suspended');
CREATE INDEX smtp_requests_queue ON smtp_requests (status, submitted_at, id);
CREATE INDEX smtp_requests_org ON smtp_requests (organisation_id, id);
CREATE INDEX smtp_requests_service ON smtp_requests (service_id, id);

-- What happened to a request, with the written reason the customer reads.
CREATE TABLE smtp_request_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  BIGINT NOT NULL REFERENCES smtp_requests (id),
    at          TIMESTAMPTZ NOT NULL,
    -- NULL when the portal itself acted (an automatic suspension)
    actor_id    BIGINT REFERENCES users (id),
    actor_role  TEXT NOT NULL,
    event       TEXT NOT NULL,
    reason      TEXT
);
CREATE INDEX smtp_request_events_request ON smtp_request_events (request_id, id);

-- The written approvals: numbered, dated, naming everything they approve, never changed.
CREATE TABLE smtp_approvals (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id       BIGINT NOT NULL REFERENCES smtp_requests (id),
    number           TEXT NOT NULL UNIQUE,
    issued_at        TIMESTAMPTZ NOT NULL,
    approved_by      BIGINT NOT NULL REFERENCES users (id),
    approver_role    TEXT NOT NULL,
    approval_text    TEXT NOT NULL,
    daily_cap        BIGINT,
    probation_until  DATE,
    -- the document as issued (JSON): organisation, service, address, use case, conditions
    document         TEXT NOT NULL
);
CREATE INDEX smtp_approvals_request ON smtp_approvals (request_id, id);
CREATE FUNCTION smtp_approvals_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'written approvals cannot be changed or deleted';
END;
$$;
CREATE TRIGGER smtp_approvals_no_change BEFORE UPDATE OR DELETE ON smtp_approvals
    FOR EACH ROW EXECUTE FUNCTION smtp_approvals_refuse_change();
CREATE TRIGGER smtp_approvals_no_truncate BEFORE TRUNCATE ON smtp_approvals
    FOR EACH STATEMENT EXECUTE FUNCTION smtp_approvals_refuse_change();

-- Each run of the DNS checks: when, for whom, and the results (JSON list).
CREATE TABLE smtp_check_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  BIGINT NOT NULL REFERENCES smtp_requests (id),
    run_at      TIMESTAMPTZ NOT NULL,
    run_by      BIGINT REFERENCES users (id),
    passed      INTEGER NOT NULL,
    failed      INTEGER NOT NULL,
    unknown     INTEGER NOT NULL,
    results     TEXT NOT NULL
);
CREATE INDEX smtp_check_runs_request ON smtp_check_runs (request_id, id);
