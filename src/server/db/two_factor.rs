//! Two-factor state of accounts (migration 0008): the sealed TOTP secret, when it was enabled,
//! the last time step accepted, recovery codes, and organisations that require it.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::ids::{OrgId, UserId};
use time::OffsetDateTime;

/// An account's second factor.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TwoFactorRow {
    /// The sealed secret (enabled or waiting for its first code).
    pub totp_secret: Option<String>,
    /// When it was enabled.
    pub totp_enabled_at: Option<OffsetDateTime>,
    /// Whether the account's organisation requires a second factor.
    pub required_by_org: bool,
    /// Recovery codes not used yet.
    pub recovery_left: i64,
}

/// An account's second factor.
pub async fn state(db: &Db, user: UserId) -> Result<Option<TwoFactorRow>, DbError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, TwoFactorRow>(
        "SELECT u.totp_secret, u.totp_enabled_at, COALESCE(o.require_two_factor, FALSE) AS required_by_org, \
         (SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL) AS recovery_left \
         FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1"
    )
    .bind(user.0)
    .fetch_optional(pool)
    .await
    })?)
}

/// Stores a new secret waiting for its first code (an enabled one is left alone).
pub async fn set_pending_secret(db: &Db, user: UserId, sealed: &str) -> Result<(), DbError> {
    on_db!(db, |pool| {
        sqlx::query(
        "UPDATE users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2 AND totp_enabled_at IS NULL"
    )
    .bind(sealed)
    .bind(user.0)
    .execute(pool)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Enables the waiting secret, its first code's step taken; `false` when it was enabled already.
pub async fn enable(
    tx: &mut Tx,
    user: UserId,
    step: i64,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE users SET totp_enabled_at = $1, totp_last_step = $2 \
         WHERE id = $3 AND totp_enabled_at IS NULL AND totp_secret IS NOT NULL"
    )
    .bind(stored_time(now))
    .bind(step)
    .bind(user.0)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Takes a code's time step: `false` when that step (or a later one) was used already, so a
/// code works once however fast it is replayed.
pub async fn claim_step(db: &Db, user: UserId, step: i64) -> Result<bool, DbError> {
    let n = on_db!(db, |pool| sqlx::query(
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_enabled_at IS NOT NULL \
         AND (totp_last_step IS NULL OR totp_last_step < $1)"
    )
    .bind(step)
    .bind(user.0)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Replaces an account's recovery codes with new ones (their hashes).
pub async fn replace_recovery_codes(
    tx: &mut Tx,
    user: UserId,
    hashes: &[String],
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM recovery_codes WHERE user_id = $1"
    )
    .bind(user.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    for hash in hashes {
        on_tx!(tx, |conn| sqlx::query(
            "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)"
        )
        .bind(user.0)
        .bind(hash)
        .bind(stored_time(now))
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// Uses a recovery code: `false` when the account has no such unused code.
pub async fn use_recovery_code(
    db: &Db,
    user: UserId,
    hash: &str,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let n = on_db!(db, |pool| {
        sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL"
    )
    .bind(stored_time(now))
    .bind(user.0)
    .bind(hash)
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Turns the second factor off: secret and recovery codes gone.
pub async fn disable(tx: &mut Tx, user: UserId) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1"
    )
    .bind(user.0)
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM recovery_codes WHERE user_id = $1"
    )
    .bind(user.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets whether an organisation requires a second factor of its members.
pub async fn set_required(tx: &mut Tx, org: OrgId, required: bool) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE organisations SET require_two_factor = $1 WHERE id = $2"
    )
    .bind(required)
    .bind(org.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}
