//! The tower-sessions store on the portal's database, for both engines.
//!
//! A session row holds the record's data as JSON and its expiry; a row past its expiry is never
//! loaded, and [`delete_expired`] sweeps them.

use super::{on_db, stored_time, Db};
use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error as StoreError, Result as StoreResult};
use tower_sessions::SessionStore;

/// Sessions stored in the `sessions` table.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    /// A store on this database.
    pub fn new(db: Db) -> Self {
        DbSessionStore { db }
    }
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        let data =
            serde_json::to_string(&record.data).map_err(|e| StoreError::Encode(e.to_string()))?;
        let sql = "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING";
        // A 128-bit random id colliding is next to impossible; still, never overwrite another's session.
        loop {
            let inserted = on_db!(&self.db, |pool| sqlx::query(sql)
                .bind(record.id.to_string())
                .bind(&data)
                .bind(stored_time(record.expiry_date))
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> StoreResult<()> {
        let data =
            serde_json::to_string(&record.data).map_err(|e| StoreError::Encode(e.to_string()))?;
        let sql = "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at";
        on_db!(&self.db, |pool| sqlx::query(sql)
            .bind(record.id.to_string())
            .bind(&data)
            .bind(stored_time(record.expiry_date))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        let sql = "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2";
        let row: Option<(String, OffsetDateTime)> = on_db!(&self.db, |pool| sqlx::query_as(sql)
            .bind(id.to_string())
            .bind(stored_time(OffsetDateTime::now_utc()))
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(|(data, expiry_date)| {
            let data =
                serde_json::from_str(&data).map_err(|e| StoreError::Decode(e.to_string()))?;
            Ok(Record {
                id: *id,
                data,
                expiry_date,
            })
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> StoreResult<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "DELETE FROM sessions WHERE id = $1"
        )
        .bind(id.to_string())
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(backend)?;
        Ok(())
    }
}

/// Deletes sessions that expired before `now`; returns how many.
pub async fn delete_expired(db: &Db, now: OffsetDateTime) -> Result<u64, super::DbError> {
    Ok(on_db!(db, |pool| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1"
    )
    .bind(stored_time(now))
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?)
}

/// How many unexpired sessions exist (for tests and operators).
pub async fn count_live(db: &Db, now: OffsetDateTime) -> Result<i64, super::DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM sessions WHERE expires_at > $1"
    )
    .bind(stored_time(now))
    .fetch_one(pool)
    .await)?)
}
