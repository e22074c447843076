//! What stands between a suspended service and its reactivation besides money: the abuse
//! desk's holds, and whether the case's evidence was accepted.

use crate::domain::actor::StaffToken;
use crate::domain::ids::UserId;
use crate::server::db::{on_db, on_tx, stored_time, Db, DbError, Tx};
use time::OffsetDateTime;

/// The abuse desk's open hold on a case's reactivation, if any: its reason.
pub async fn open_hold_in_tx(tx: &mut Tx, notice_id: i64) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT reason FROM suspension_holds WHERE notice_id = $1 AND released_at IS NULL"
    )
    .bind(notice_id)
    .fetch_optional(&mut *conn)
    .await)?)
}

/// The open hold, outside a transaction.
pub async fn open_hold(db: &Db, notice_id: i64) -> Result<Option<String>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT reason FROM suspension_holds WHERE notice_id = $1 AND released_at IS NULL"
    )
    .bind(notice_id)
    .fetch_optional(pool)
    .await)?)
}

/// Holds a case's service suspended; fails with `Duplicate` when a hold is already open.
pub async fn insert_hold(
    tx: &mut Tx,
    _staff: StaffToken,
    notice_id: i64,
    reason: &str,
    by: UserId,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO suspension_holds (notice_id, reason, held_by, held_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(notice_id)
    .bind(reason)
    .bind(by.0)
    .bind(stored_time(now))
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Releases the open hold; `false` when there was none.
pub async fn release_hold(
    tx: &mut Tx,
    _staff: StaffToken,
    notice_id: i64,
    reason: &str,
    by: UserId,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| sqlx::query(
        "UPDATE suspension_holds SET released_by = $1, released_at = $2, release_reason = $3 \
         WHERE notice_id = $4 AND released_at IS NULL"
    )
    .bind(by.0)
    .bind(stored_time(now))
    .bind(reason)
    .bind(notice_id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Whether staff accepted remediation evidence for the case, inside a transaction.
pub async fn evidence_accepted_in_tx(tx: &mut Tx, notice_id: i64) -> Result<bool, DbError> {
    let n: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM evidence_submissions WHERE notice_id = $1 AND decision = 'accepted'"
    )
    .bind(notice_id)
    .fetch_one(&mut *conn)
    .await
    })?;
    Ok(n > 0)
}

/// Whether staff accepted remediation evidence for the case.
pub async fn evidence_accepted(db: &Db, notice_id: i64) -> Result<bool, DbError> {
    let n: i64 = on_db!(db, |pool| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM evidence_submissions WHERE notice_id = $1 AND decision = 'accepted'"
    )
    .bind(notice_id)
    .fetch_one(pool)
    .await
    })?;
    Ok(n > 0)
}
