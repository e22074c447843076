//! The tower-sessions store on the portal's database, for both engines.
//!
//! A session row holds the record's data as JSON, its expiry, and its user's id (copied from the
//! data: the signed-in user, or the one whose second-factor code is due), so that every session of
//! a user can be listed and ended at once, half-finished sign-ins included. A row past
//! its expiry is never loaded, and [`delete_expired`] sweeps them. Saving never creates a row:
//! a request still in flight when its session was ended cannot bring the session back.
//!
//! Loading a session reads its user, and how many of the user's notifications are unread, in the
//! same statement and leaves them in the record's data under [`LOADED_USER`] and
//! [`LOADED_UNREAD`], so that a request learns who is calling, and what the navigation shows,
//! with one query; those entries are never written back.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::ids::UserId;
use crate::server::session_keys::{LOADED_UNREAD, LOADED_USER, PENDING_USER, USER_ID};
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

fn user_of(record: &Record) -> Option<i64> {
    record
        .data
        .get(USER_ID)
        .or_else(|| record.data.get(PENDING_USER))
        .and_then(serde_json::Value::as_i64)
}

/// The record's data as stored: without [`LOADED_USER`] and [`LOADED_UNREAD`].
fn stored_data(record: &Record) -> Result<String, StoreError> {
    let kept: std::collections::BTreeMap<&String, &serde_json::Value> = record
        .data
        .iter()
        .filter(|(key, _)| key.as_str() != LOADED_USER && key.as_str() != LOADED_UNREAD)
        .collect();
    serde_json::to_string(&kept).map_err(|e| StoreError::Encode(e.to_string()))
}

/// A session row with its user's columns and unread count.
#[derive(sqlx::FromRow)]
struct LoadedRow {
    data: String,
    expires_at: OffsetDateTime,
    unread: i64,
    #[sqlx(flatten)]
    user: super::accounts::OptionalUserRow,
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        let data = stored_data(record)?;
        let sql = "INSERT INTO sessions (id, data, expires_at, user_id) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (id) DO NOTHING";
        // A new session always gets an id of the server's choosing, never one a client sent; a
        // 128-bit random id colliding is next to impossible, but never overwrite another's.
        loop {
            record.id = Id::default();
            let inserted = on_db!(&self.db, |pool| sqlx::query(sql)
                .bind(record.id.to_string())
                .bind(&data)
                .bind(stored_time(record.expiry_date))
                .bind(user_of(record))
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))
            .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
        }
    }

    async fn save(&self, record: &Record) -> StoreResult<()> {
        let data = stored_data(record)?;
        // An update only: a session deleted meanwhile (signed out, ended elsewhere) stays gone.
        let sql = "UPDATE sessions SET data = $2, expires_at = $3, user_id = $4 WHERE id = $1";
        on_db!(&self.db, |pool| sqlx::query(sql)
            .bind(record.id.to_string())
            .bind(&data)
            .bind(stored_time(record.expiry_date))
            .bind(user_of(record))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        let sql = format!(
            "SELECT s.data, s.expires_at, {}, \
             (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread \
             FROM sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN organisations o ON o.id = u.organisation_id \
             WHERE s.id = $1 AND s.expires_at > $2",
            super::accounts::OPTIONAL_USER_COLUMNS
        );
        let row: Option<LoadedRow> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(id.to_string())
            .bind(stored_time(OffsetDateTime::now_utc()))
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let mut data: std::collections::HashMap<String, serde_json::Value> =
            serde_json::from_str(&row.data).map_err(|e| StoreError::Decode(e.to_string()))?;
        if let Some(user) = row.user.into_user() {
            let user = serde_json::to_value(user).map_err(|e| StoreError::Encode(e.to_string()))?;
            data.insert(LOADED_USER.to_owned(), user);
            data.insert(LOADED_UNREAD.to_owned(), row.unread.into());
        }
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: row.expires_at,
        }))
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

/// A user's live session as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// The session id (a secret: never shown).
    pub id: String,
    /// The session's data as JSON.
    pub data: String,
    /// When it ends unless renewed.
    pub expires_at: OffsetDateTime,
}

/// The user's unexpired sessions.
pub async fn for_user(
    db: &Db,
    user: UserId,
    now: OffsetDateTime,
) -> Result<Vec<SessionRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, SessionRow>(
        "SELECT id, data, expires_at FROM sessions WHERE user_id = $1 AND expires_at > $2 \
         ORDER BY expires_at DESC LIMIT 200"
    )
    .bind(user.0)
    .bind(stored_time(now))
    .fetch_all(pool)
    .await)?)
}

/// Ends one session of the user; false when the user has no such session.
pub async fn delete_for_user(db: &Db, user: UserId, id: &str) -> Result<bool, DbError> {
    Ok(on_db!(db, |pool| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id = $2"
    )
    .bind(user.0)
    .bind(id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

/// Ends every session of the user (half-finished sign-ins included), within the transaction of
/// the change that ends them; returns how many.
pub async fn delete_all_for_user(tx: &mut Tx, user: UserId) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1"
    )
    .bind(user.0)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Ends every session of the user but `keep` (half-finished sign-ins included), within the
/// transaction of the change that ends them; returns how many.
pub async fn delete_other_for_user(tx: &mut Tx, user: UserId, keep: &str) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id <> $2"
    )
    .bind(user.0)
    .bind(keep)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Deletes sessions that expired before `now`; returns how many.
pub async fn delete_expired(db: &Db, now: OffsetDateTime) -> Result<u64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1"
    )
    .bind(stored_time(now))
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?)
}

/// How many unexpired sessions exist (for tests and operators).
pub async fn count_live(db: &Db, now: OffsetDateTime) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM sessions WHERE expires_at > $1"
    )
    .bind(stored_time(now))
    .fetch_one(pool)
    .await)?)
}
