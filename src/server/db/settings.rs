//! Site-wide settings kept in the database (so every portal process sees the same), and
//! [`SettingsCache`], the copy each process reads them through.

use super::{on_db, Db, DbError};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// The setting that marks a database seeded with demo data.
pub const DEMO_MODE: &str = "demo_mode";

/// A setting's value, if set.
pub async fn get(db: &Db, key: &str) -> Result<Option<String>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar::<_, String>(
        "SELECT value FROM settings WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(pool)
    .await)?)
}

/// Sets a setting.
pub async fn set(db: &Db, key: &str, value: &str) -> Result<(), DbError> {
    let sql = "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    on_db!(db, |pool| sqlx::query(sql)
        .bind(key)
        .bind(value)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Whether the database holds the demo data (whose accounts have a published password).
pub async fn demo_mode(db: &Db) -> Result<bool, DbError> {
    Ok(get(db, DEMO_MODE).await?.as_deref() == Some("true"))
}

/// A process's copy of the settings its pages read on every request, so that a page render
/// does not read the settings row. The copy is read again once it is [`SettingsCache::MAX_AGE`]
/// old: a change made by another process (such as `portal seed --demo` beside a running server,
/// or another server on the same PostgreSQL) shows within that time.
#[derive(Debug, Default)]
pub struct SettingsCache {
    demo_mode: RwLock<Option<(bool, Instant)>>,
}

impl SettingsCache {
    /// How long a copy is used before the database is asked again.
    pub const MAX_AGE: Duration = Duration::from_secs(10);

    /// Whether the database holds the demo data, as of at most [`Self::MAX_AGE`] ago.
    pub async fn demo_mode(&self, db: &Db) -> Result<bool, DbError> {
        let kept = *self.demo_mode.read().unwrap_or_else(|e| e.into_inner());
        if let Some((value, _)) = kept.filter(|(_, read_at)| read_at.elapsed() < Self::MAX_AGE) {
            return Ok(value);
        }
        let value = demo_mode(db).await?;
        *self.demo_mode.write().unwrap_or_else(|e| e.into_inner()) = Some((value, Instant::now()));
        Ok(value)
    }

    /// Drops the copy, after this process changed a setting, so the next read sees the change.
    pub fn forget(&self) {
        *self.demo_mode.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
