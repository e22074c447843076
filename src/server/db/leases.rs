//! Leases for jobs that must run in one process at a time, even with several portal processes
//! on one database: a process holds a named lease until it expires, renewing it while it works;
//! another takes it over only after it lapses.

use super::{on_db, stored_time, Db, DbError};
use time::{Duration, OffsetDateTime};

/// Takes or renews the lease `name` for `holder` until `now + ttl`; `true` if `holder` has it.
pub async fn try_acquire(
    db: &Db,
    name: &str,
    holder: &str,
    now: OffsetDateTime,
    ttl: Duration,
) -> Result<bool, DbError> {
    let sql = "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
               ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
               WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= $4 \
               RETURNING holder";
    let row: Option<String> = on_db!(db, |pool| sqlx::query_scalar(sql)
        .bind(name)
        .bind(holder)
        .bind(stored_time(now + ttl))
        .bind(stored_time(now))
        .fetch_optional(pool)
        .await)?;
    Ok(row.as_deref() == Some(holder))
}
