//! Site-wide settings kept in the database (so every portal process sees the same).

use super::{on_db, Db, DbError};

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
