//! API tokens (migration 0009): only the SHA-256 of each token is stored.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::actor::AdminToken;
use crate::domain::ids::UserId;
use time::OffsetDateTime;

/// A token as stored, with the e-mail of the admin it acts for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenRow {
    /// Id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// Its scopes, space-separated.
    pub scopes: String,
    /// The admin it acts for.
    pub created_by: i64,
    /// That admin's e-mail.
    pub created_by_email: String,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was last used.
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

const SELECT: &str =
    "SELECT t.id, t.name, t.scopes, t.created_by, u.email AS created_by_email, t.created_at, \
     t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.created_by";

/// Records a token; returns its id.
pub async fn insert(
    tx: &mut Tx,
    _admin: AdminToken,
    name: &str,
    token_hash: &str,
    scopes: &str,
    by: UserId,
    now: OffsetDateTime,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, scopes, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(name)
    .bind(token_hash)
    .bind(scopes)
    .bind(by.0)
    .bind(stored_time(now))
    .fetch_one(&mut *conn)
    .await
    })?)
}

/// The token whose SHA-256 is `hash`.
pub async fn by_hash(db: &Db, hash: &str) -> Result<Option<TokenRow>, DbError> {
    let sql = format!("{SELECT} WHERE t.token_hash = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, TokenRow>(&sql)
        .bind(hash)
        .fetch_optional(pool)
        .await)?)
}

/// Notes that a token was used, at most once a minute.
pub async fn touch(db: &Db, id: i64, now: OffsetDateTime) -> Result<(), DbError> {
    on_db!(db, |pool| {
        sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)"
    )
    .bind(stored_time(now))
    .bind(id)
    .bind(stored_time(now - time::Duration::minutes(1)))
    .execute(pool)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Every token, newest first.
pub async fn list(db: &Db, _admin: AdminToken) -> Result<Vec<TokenRow>, DbError> {
    let sql = format!("{SELECT} ORDER BY t.id DESC");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, TokenRow>(&sql)
        .fetch_all(pool)
        .await)?)
}

/// Revokes a token; `false` when it was revoked already or does not exist.
pub async fn revoke(
    tx: &mut Tx,
    _admin: AdminToken,
    id: i64,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
    )
    .bind(stored_time(now))
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
