-- Foundation: organisations, users, services and their IP addresses, sessions, login throttling
-- and settings. Same tables and columns as migrations/postgres/0001_foundation.sql.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    password_hash    TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('customer', 'staff', 'admin')),
    organisation_id  INTEGER REFERENCES organisations (id),
    created_at       TEXT NOT NULL,
    -- customers belong to an organisation; the provider's staff and admins to none
    CHECK ((role = 'customer') = (organisation_id IS NOT NULL))
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE services (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    label            TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN (
        'vps', 'vds', 'cloud_server', 'dedicated_cloud_server', 'cloud_compute_standard',
        'cloud_compute_high_performance', 'cloud_compute_high_frequency', 'optimized_general_purpose',
        'optimized_cpu', 'optimized_memory', 'optimized_storage', 'dedicated_server',
        'gpu_cloud_instance', 'dedicated_gpu_server', 'multi_gpu_cluster', 'hpc_node', 'ai_bare_metal')),
    state            TEXT NOT NULL DEFAULT 'active'
                     CHECK (state IN ('active', 'restricted', 'suspended', 'terminated')),
    created_at       TEXT NOT NULL,
    UNIQUE (organisation_id, label)
);

CREATE TABLE service_ips (
    id          INTEGER PRIMARY KEY,
    service_id  INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    address     TEXT NOT NULL UNIQUE
);
CREATE INDEX service_ips_service ON service_ips (service_id);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY,
    account_key  TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    failed_at    TEXT NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account_key, failed_at);
CREATE INDEX login_failures_client ON login_failures (client_addr, failed_at);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
