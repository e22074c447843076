//! The sign-in throttle's streaks (see `domain::throttle`), one row per key: `account:<e-mail>`
//! and `address:<ip or /64>`.
//!
//! Checking an attempt and reserving it happen in one transaction holding both rows' locks, so
//! that parallel attempts are counted one after the other and never pass the limit together.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::throttle::{LoginThrottle, Streak, Streaks, Throttled};
use time::OffsetDateTime;

/// The two keys of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptKeys {
    /// `account:<normalised e-mail as typed>`.
    pub account: String,
    /// `address:<client address key>`.
    pub address: String,
}

impl AttemptKeys {
    /// The keys for an e-mail as typed (normalised) and a client address key.
    pub fn new(account: &str, address: &str) -> Self {
        AttemptKeys {
            account: format!("account:{account}"),
            address: format!("address:{address}"),
        }
    }
}

async fn lock_streak(
    tx: &mut Tx,
    key: &str,
    now: OffsetDateTime,
) -> Result<Option<Streak>, DbError> {
    // The row must exist before it can be locked: an absent row locks nothing on PostgreSQL.
    let insert = "INSERT INTO login_throttle (key, failures, last_at) VALUES ($1, 0, $2) \
                  ON CONFLICT (key) DO NOTHING";
    let select = format!(
        "SELECT failures, last_at FROM login_throttle WHERE key = $1{}",
        tx.lock_clause()
    );
    let (failures, last_at): (i64, OffsetDateTime) = on_tx!(tx, |conn| {
        sqlx::query(insert)
            .bind(key)
            .bind(stored_time(now))
            .execute(&mut *conn)
            .await?;
        sqlx::query_as(&select)
            .bind(key)
            .fetch_one(&mut *conn)
            .await
    })?;
    Ok((failures > 0).then_some(Streak {
        failures: failures.clamp(0, u32::MAX as i64) as u32,
        last_at,
    }))
}

async fn store_streak(tx: &mut Tx, key: &str, streak: Streak) -> Result<(), DbError> {
    let sql = "UPDATE login_throttle SET failures = $2, last_at = $3 WHERE key = $1";
    on_tx!(tx, |conn| sqlx::query(sql)
        .bind(key)
        .bind(i64::from(streak.failures))
        .bind(stored_time(streak.last_at))
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Checks an attempt against both streaks and, when it may proceed, reserves it (counts it as a
/// failure until [`succeeded`] or [`release`] takes it back). Both rows stay locked until the
/// decision is written, always account first, so concurrent attempts cannot deadlock.
pub async fn check_and_reserve(
    db: &Db,
    throttle: &LoginThrottle,
    keys: &AttemptKeys,
    now: OffsetDateTime,
) -> Result<Result<(), Throttled>, DbError> {
    let mut tx = db.begin_write().await?;
    let streaks = Streaks {
        account: lock_streak(&mut tx, &keys.account, now).await?,
        address: lock_streak(&mut tx, &keys.address, now).await?,
    };
    if let Err(throttled) = throttle.check(&streaks, now) {
        tx.commit().await?;
        return Ok(Err(throttled));
    }
    store_streak(
        &mut tx,
        &keys.account,
        throttle.reserve(streaks.account, now),
    )
    .await?;
    store_streak(
        &mut tx,
        &keys.address,
        throttle.reserve(streaks.address, now),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

async fn take_back(db: &Db, key: &str) -> Result<(), DbError> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0"
    )
    .bind(key)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A reserved attempt signed in: the account's streak ends, and the address gets its attempt
/// back (other accounts' failures from it still count).
pub async fn succeeded(db: &Db, keys: &AttemptKeys) -> Result<(), DbError> {
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM login_throttle WHERE key = $1"
    )
    .bind(&keys.account)
    .execute(pool)
    .await
    .map(|_| ()))?;
    take_back(db, &keys.address).await
}

/// A reserved attempt was never checked (the server was too busy): both keys get it back.
pub async fn release(db: &Db, keys: &AttemptKeys) -> Result<(), DbError> {
    take_back(db, &keys.account).await?;
    take_back(db, &keys.address).await
}

/// The streak of one key, as stored (for tests and operators).
pub async fn streak(db: &Db, key: &str) -> Result<Option<Streak>, DbError> {
    let row: Option<(i64, OffsetDateTime)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT failures, last_at FROM login_throttle WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(|(failures, last_at)| Streak {
        failures: failures.clamp(0, u32::MAX as i64) as u32,
        last_at,
    }))
}

/// Deletes streaks whose last attempt is older than `before` (they are forgotten anyway).
pub async fn delete_before(db: &Db, before: OffsetDateTime) -> Result<u64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query(
        "DELETE FROM login_throttle WHERE last_at <= $1"
    )
    .bind(stored_time(before))
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?)
}
