//! Audit trails: one per case, and the provider-wide log for events that belong to no case.
//!
//! Entries are appended inside the transaction that makes the change they record, sealed with
//! the keyring's current key (see `domain::audit`), and never updated or deleted: triggers in
//! the database refuse both. The case row (or the log's head row) keeps the last seal and the
//! count, so a truncated trail is detected too.

use super::{on_db, on_tx, Db, DbError, Tx};
use crate::domain::audit::{
    self, hash_from_hex, to_hex, AuditRecord, ChainBreak, Keyring, StoredEntry, GENESIS,
    LEGACY_KEY_ID, PROVIDER_LOG,
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

/// Where a trail's entries and its head live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trail {
    /// A case's trail.
    Case(i64),
    /// The provider-wide log.
    Provider,
}

impl Trail {
    fn number(self) -> i64 {
        match self {
            Trail::Case(id) => id,
            Trail::Provider => PROVIDER_LOG,
        }
    }

    // Every statement binds the trail number as its first parameter, also for the provider log
    // (number 0, whose head row has id 1), so that one code path serves both.
    fn head_sql(self) -> &'static str {
        match self {
            Trail::Case(_) => "SELECT audit_count, audit_head FROM notices WHERE id = $1",
            Trail::Provider => "SELECT count, head FROM provider_audit_head WHERE id = $1 + 1",
        }
    }

    fn entries_sql(self) -> &'static str {
        match self {
            Trail::Case(_) => {
                "SELECT notice_id, seq, at, actor, action, detail, key_id, prev_hash, hash \
                 FROM audit_entries WHERE notice_id = $1 ORDER BY seq"
            }
            Trail::Provider => {
                "SELECT CAST($1 AS BIGINT) AS notice_id, seq, at, actor, action, detail, key_id, \
                 prev_hash, hash FROM provider_audit_entries ORDER BY seq"
            }
        }
    }
}

/// Appends an entry to a case's trail within `tx`.
pub async fn append(
    tx: &mut Tx,
    keys: &Keyring,
    notice_id: i64,
    at: OffsetDateTime,
    event: AuditEvent<'_>,
) -> Result<StoredEntry, DbError> {
    append_to(tx, keys, Trail::Case(notice_id), at, event).await
}

/// Appends an entry to the provider-wide log within `tx`.
pub async fn append_provider(
    tx: &mut Tx,
    keys: &Keyring,
    at: OffsetDateTime,
    event: AuditEvent<'_>,
) -> Result<StoredEntry, DbError> {
    append_to(tx, keys, Trail::Provider, at, event).await
}

async fn append_to(
    tx: &mut Tx,
    keys: &Keyring,
    trail: Trail,
    at: OffsetDateTime,
    event: AuditEvent<'_>,
) -> Result<StoredEntry, DbError> {
    // Locking the head row serialises appends to one trail.
    let sql = format!("{}{}", trail.head_sql(), tx.lock_clause());
    let (count, head): (i64, String) = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(trail.number())
        .fetch_one(&mut *conn)
        .await)?;
    let prev = if count == 0 {
        None
    } else {
        Some(hash_from_hex(&head).ok_or_else(|| DbError::Corrupt("audit head".into()))?)
    };
    let record = AuditRecord {
        notice_id: trail.number(),
        seq: count + 1,
        at: super::stored_time(at),
        actor: event.actor.to_owned(),
        action: event.action.to_owned(),
        detail: event.detail.to_owned(),
    };
    let key = keys.current();
    let prev_hash = prev.unwrap_or(GENESIS);
    let entry = StoredEntry {
        hash: audit::entry_hash(key, &prev_hash, &record),
        record,
        key_id: key.id().to_owned(),
        prev_hash,
    };
    let (insert, update) = match trail {
        Trail::Case(_) => (
            "INSERT INTO audit_entries (notice_id, seq, at, actor, action, detail, key_id, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            "UPDATE notices SET audit_count = $1, audit_head = $2 WHERE id = $3",
        ),
        Trail::Provider => (
            "INSERT INTO provider_audit_entries (seq, at, actor, action, detail, key_id, prev_hash, hash) \
             SELECT $2, $3, $4, $5, $6, $7, $8, $9 WHERE $1 = 0",
            "UPDATE provider_audit_head SET count = $1, head = $2 WHERE id = $3 + 1",
        ),
    };
    on_tx!(tx, |conn| {
        sqlx::query(insert)
            .bind(trail.number())
            .bind(entry.record.seq)
            .bind(entry.record.at)
            .bind(&entry.record.actor)
            .bind(&entry.record.action)
            .bind(&entry.record.detail)
            .bind(&entry.key_id)
            .bind(to_hex(&entry.prev_hash))
            .bind(to_hex(&entry.hash))
            .execute(&mut *conn)
            .await?;
        sqlx::query(update)
            .bind(entry.record.seq)
            .bind(to_hex(&entry.hash))
            .bind(trail.number())
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
    key_id: String,
    prev_hash: String,
    hash: String,
}

impl EntryRow {
    fn into_entry(self) -> Result<StoredEntry, DbError> {
        let corrupt = || {
            DbError::Corrupt(format!(
                "audit entry {} of trail {}",
                self.seq, self.notice_id
            ))
        };
        Ok(StoredEntry {
            prev_hash: hash_from_hex(&self.prev_hash).ok_or_else(corrupt)?,
            hash: hash_from_hex(&self.hash).ok_or_else(corrupt)?,
            key_id: self.key_id,
            record: AuditRecord {
                notice_id: self.notice_id,
                seq: self.seq,
                at: self.at,
                actor: self.actor,
                action: self.action,
                detail: self.detail,
            },
        })
    }
}

/// A whole trail, oldest first.
pub async fn list_trail(db: &Db, trail: Trail) -> Result<Vec<StoredEntry>, DbError> {
    let rows = on_db!(db, |pool| sqlx::query_as::<_, EntryRow>(
        trail.entries_sql()
    )
    .bind(trail.number())
    .fetch_all(pool)
    .await)?;
    rows.into_iter().map(EntryRow::into_entry).collect()
}

/// A case's whole trail, oldest first.
pub async fn list(db: &Db, notice_id: i64) -> Result<Vec<StoredEntry>, DbError> {
    list_trail(db, Trail::Case(notice_id)).await
}

/// Why a stored trail does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrailError {
    /// The entries themselves are broken.
    #[error(transparent)]
    Chain(#[from] ChainBreak),
    /// Entries at the end are missing: the head records more, or another last seal.
    #[error("the trail ends early: its head records {expected} entries")]
    Truncated {
        /// Entries the head records.
        expected: i64,
    },
}

/// Checks a case's trail against itself and against the head kept on the case.
pub async fn verify(
    db: &Db,
    keys: &Keyring,
    notice_id: i64,
) -> Result<Result<(), TrailError>, DbError> {
    let entries = list(db, notice_id).await?;
    verify_loaded(db, keys, Trail::Case(notice_id), &entries).await
}

/// [`verify`] for a trail already read with [`list_trail`].
pub async fn verify_loaded(
    db: &Db,
    keys: &Keyring,
    trail: Trail,
    entries: &[StoredEntry],
) -> Result<Result<(), TrailError>, DbError> {
    let (count, head): (i64, String) = on_db!(db, |pool| sqlx::query_as(trail.head_sql())
        .bind(trail.number())
        .fetch_one(pool)
        .await)?;
    if let Err(e) = audit::verify(entries, keys) {
        return Ok(Err(e.into()));
    }
    let last = entries.last().map(|e| to_hex(&e.hash)).unwrap_or_default();
    if entries.len() as i64 != count || last != head {
        return Ok(Err(TrailError::Truncated { expected: count }));
    }
    Ok(Ok(()))
}

/// What [`reseal_legacy`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ResealReport {
    /// Cases whose whole trail was checked and sealed.
    pub resealed: Vec<i64>,
    /// Cases left as they were, with the reason: their legacy trail does not verify, or it
    /// mixes legacy and keyed entries.
    pub refused: Vec<(i64, String)>,
}

/// Seals, once, the trails written before trails were keyed: each case whose entries are all
/// legacy and verify as an unkeyed chain (against the case's head too) is sealed again with the
/// current key, content unchanged. Anything else is reported, never touched.
pub async fn reseal_legacy(db: &Db, keys: &Keyring) -> Result<ResealReport, DbError> {
    let ids: Vec<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT DISTINCT notice_id FROM audit_entries WHERE key_id = $1 ORDER BY notice_id"
    )
    .bind(LEGACY_KEY_ID)
    .fetch_all(pool)
    .await)?;
    let mut report = ResealReport::default();
    for id in ids {
        let mut tx = db.begin_write().await?;
        let head_sql = format!("{}{}", Trail::Case(id).head_sql(), tx.lock_clause());
        let (count, head): (i64, String) = on_tx!(&mut tx, |conn| sqlx::query_as(&head_sql)
            .bind(id)
            .fetch_one(&mut *conn)
            .await)?;
        let rows = on_tx!(&mut tx, |conn| sqlx::query_as::<_, EntryRow>(
            Trail::Case(id).entries_sql()
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await)?;
        let entries = rows
            .into_iter()
            .map(EntryRow::into_entry)
            .collect::<Result<Vec<_>, _>>()?;
        let last = entries.last().map(|e| to_hex(&e.hash)).unwrap_or_default();
        if entries.len() as i64 != count || last != head {
            report.refused.push((
                id,
                format!("the trail ends early: the case records {count} entries"),
            ));
            continue;
        }
        let sealed = match audit::reseal_legacy(&entries, keys.current()) {
            Ok(sealed) => sealed,
            Err(e) => {
                report.refused.push((id, e.to_string()));
                continue;
            }
        };
        for e in &sealed {
            on_tx!(&mut tx, |conn| sqlx::query(
                "UPDATE audit_entries SET key_id = $1, prev_hash = $2, hash = $3 \
                 WHERE notice_id = $4 AND seq = $5"
            )
            .bind(&e.key_id)
            .bind(to_hex(&e.prev_hash))
            .bind(to_hex(&e.hash))
            .bind(id)
            .bind(e.record.seq)
            .execute(&mut *conn)
            .await
            .map(|_| ()))?;
        }
        let new_head = sealed.last().map(|e| to_hex(&e.hash)).unwrap_or_default();
        on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE notices SET audit_head = $1 WHERE id = $2"
        )
        .bind(new_head)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
        tx.commit().await?;
        report.resealed.push(id);
    }
    Ok(report)
}
