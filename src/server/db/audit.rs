//! The per-case audit trail: appended inside the transaction that makes the change it records,
//! never updated or deleted. Each entry is hash-chained to the one before (see `domain::audit`),
//! and the notice row keeps the last hash and the count, so truncation is detected too.

use super::{on_db, on_tx, Db, DbError, Tx};
use crate::domain::audit::{
    self, hash_from_hex, to_hex, AuditRecord, ChainBreak, StoredEntry, GENESIS,
};
use time::OffsetDateTime;

/// What to record: who, what, details.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    /// `email (role)` or `system`.
    pub actor: &'a str,
    /// Stable action name.
    pub action: &'a str,
    /// Details for the timeline.
    pub detail: &'a str,
}

/// Appends an entry to a case's trail within `tx`.
pub async fn append(
    tx: &mut Tx,
    notice_id: i64,
    at: OffsetDateTime,
    event: AuditEvent<'_>,
) -> Result<StoredEntry, DbError> {
    let sql = format!(
        "SELECT audit_count, audit_head FROM notices WHERE id = $1{}",
        tx.lock_clause()
    );
    let (count, head): (i64, String) = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(notice_id)
        .fetch_one(&mut *conn)
        .await)?;
    let prev = if count == 0 {
        GENESIS
    } else {
        hash_from_hex(&head).ok_or_else(|| DbError::Corrupt("audit head".into()))?
    };
    let record = AuditRecord {
        notice_id,
        seq: count + 1,
        at: super::stored_time(at),
        actor: event.actor.to_owned(),
        action: event.action.to_owned(),
        detail: event.detail.to_owned(),
    };
    let hash = audit::entry_hash(&prev, &record);
    let entry = StoredEntry {
        record,
        prev_hash: prev,
        hash,
    };
    let insert =
        "INSERT INTO audit_entries (notice_id, seq, at, actor, action, detail, prev_hash, hash) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    let update = "UPDATE notices SET audit_count = $1, audit_head = $2 WHERE id = $3";
    on_tx!(tx, |conn| {
        sqlx::query(insert)
            .bind(notice_id)
            .bind(entry.record.seq)
            .bind(entry.record.at)
            .bind(&entry.record.actor)
            .bind(&entry.record.action)
            .bind(&entry.record.detail)
            .bind(to_hex(&entry.prev_hash))
            .bind(to_hex(&entry.hash))
            .execute(&mut *conn)
            .await?;
        sqlx::query(update)
            .bind(entry.record.seq)
            .bind(to_hex(&entry.hash))
            .bind(notice_id)
            .execute(&mut *conn)
            .await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(entry)
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    notice_id: i64,
    seq: i64,
    at: OffsetDateTime,
    actor: String,
    action: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

/// A case's whole trail, oldest first.
pub async fn list(db: &Db, notice_id: i64) -> Result<Vec<StoredEntry>, DbError> {
    let sql =
        "SELECT notice_id, seq, at, actor, action, detail, prev_hash, hash FROM audit_entries \
               WHERE notice_id = $1 ORDER BY seq";
    let rows = on_db!(db, |pool| sqlx::query_as::<_, EntryRow>(sql)
        .bind(notice_id)
        .fetch_all(pool)
        .await)?;
    rows.into_iter()
        .map(|r| {
            let corrupt =
                || DbError::Corrupt(format!("audit entry {} of case {}", r.seq, r.notice_id));
            Ok(StoredEntry {
                prev_hash: hash_from_hex(&r.prev_hash).ok_or_else(corrupt)?,
                hash: hash_from_hex(&r.hash).ok_or_else(corrupt)?,
                record: AuditRecord {
                    notice_id: r.notice_id,
                    seq: r.seq,
                    at: r.at,
                    actor: r.actor,
                    action: r.action,
                    detail: r.detail,
                },
            })
        })
        .collect()
}

/// Why a stored trail does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrailError {
    /// The entries themselves are broken.
    #[error(transparent)]
    Chain(#[from] ChainBreak),
    /// Entries at the end are missing: the case records more, or another last hash.
    #[error("the trail ends early: the case records {expected} entries")]
    Truncated {
        /// Entries the case records.
        expected: i64,
    },
}

/// Checks a case's trail against itself and against the head kept on the case.
pub async fn verify(db: &Db, notice_id: i64) -> Result<Result<(), TrailError>, DbError> {
    let entries = list(db, notice_id).await?;
    verify_loaded(db, notice_id, &entries).await
}

/// [`verify`] for a trail already read with [`list`].
pub async fn verify_loaded(
    db: &Db,
    notice_id: i64,
    entries: &[StoredEntry],
) -> Result<Result<(), TrailError>, DbError> {
    let (count, head): (i64, String) = on_db!(db, |pool| sqlx::query_as(
        "SELECT audit_count, audit_head FROM notices WHERE id = $1"
    )
    .bind(notice_id)
    .fetch_one(pool)
    .await)?;
    if let Err(e) = audit::verify(entries) {
        return Ok(Err(e.into()));
    }
    let last = entries.last().map(|e| to_hex(&e.hash)).unwrap_or_default();
    if entries.len() as i64 != count || last != head {
        return Ok(Err(TrailError::Truncated { expected: count }));
    }
    Ok(Ok(()))
}
