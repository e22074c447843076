//! The sign-in throttle's streaks (see `domain::throttle`), one row per key: `account:<e-mail>`
//! for passwords, `code:<user id>` for second-factor and recovery codes, and
//! `address:<ip or /64>` for every attempt from one client.
//!
//! Checking an attempt and reserving it happen in one transaction holding both rows' locks, so
//! that parallel attempts are counted one after the other and never pass the limit together.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::ids::UserId;
use crate::domain::throttle::{LoginThrottle, Streak, Streaks, Throttled};
use time::OffsetDateTime;

/// The two keys of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptKeys {
    /// The account's key: `account:<normalised e-mail as typed>` for a password,
    /// `code:<user id>` for a second-factor code.
    pub account: String,
    /// `address:<client address key>`, or `user:<user id>` for a signed-in user's own attempts.
    pub address: String,
}

impl AttemptKeys {
    /// The keys of a password typed for an e-mail (normalised), from a client address key.
    pub fn new(account: &str, address: &str) -> Self {
        AttemptKeys {
            account: account_key(account),
            address: format!("address:{address}"),
        }
    }

    /// The keys of a password a signed-in `user` types again (to change how they sign in): their
    /// account's password streak, and one of their own in place of the address, which others
    /// may share.
    pub fn signed_in(account: &str, user: UserId) -> Self {
        AttemptKeys {
            account: account_key(account),
            address: format!("user:{}", user.0),
        }
    }

    /// The keys of a second-factor or recovery code of `user`, from a client address key. Codes
    /// have a streak of their own, apart from the password's: a right password does not end it.
    pub fn second_factor(user: UserId, address: &str) -> Self {
        AttemptKeys {
            account: format!("code:{}", user.0),
            address: format!("address:{address}"),
        }
    }
}

/// The password streak's key of an e-mail address (normalised).
pub fn account_key(email: &str) -> String {
    format!("account:{email}")
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
    forget(db, &keys.account).await?;
    take_back(db, &keys.address).await
}

/// A reserved attempt that neither failed nor finished a sign-in: it was never checked (the
/// server was too busy), or the password was right and a second factor is still due. Both keys
/// get it back; the account's earlier failures still count.
pub async fn release(db: &Db, keys: &AttemptKeys) -> Result<(), DbError> {
    take_back(db, &keys.account).await?;
    take_back(db, &keys.address).await
}

/// Ends one key's streak (a right second-factor code ends the password's streak too).
pub async fn forget(db: &Db, key: &str) -> Result<(), DbError> {
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM login_throttle WHERE key = $1"
    )
    .bind(key)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
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
