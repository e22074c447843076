//! The customer's responses to a notice and staff decisions on them: evidence submissions (a
//! statement, later with files) and disputes. Rows are added, and decided once; never deleted.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::actor::StaffToken;
use crate::domain::evidence::Statement;
use crate::domain::ids::OrgId;
use crate::domain::ids::UserId;
use time::OffsetDateTime;

/// An evidence submission with who sent and who decided it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubmissionRow {
    /// Id.
    pub id: i64,
    /// Who submitted it.
    pub submitted_by_email: String,
    /// When.
    pub submitted_at: OffsetDateTime,
    /// The cause.
    pub cause: String,
    /// The fix.
    pub fix: String,
    /// The prevention.
    pub prevention: String,
    /// `accepted` or `rejected`, once decided.
    pub decision: Option<String>,
    /// Who decided.
    pub decided_by_email: Option<String>,
    /// When.
    pub decided_at: Option<OffsetDateTime>,
    /// The written reason (shown to the customer).
    pub decision_reason: Option<String>,
}

/// Records a submission.
pub async fn insert_submission(
    tx: &mut Tx,
    notice_id: i64,
    by: UserId,
    at: OffsetDateTime,
    s: &Statement,
) -> Result<i64, DbError> {
    let sql = "INSERT INTO evidence_submissions (notice_id, submitted_by, submitted_at, cause, fix, prevention) \
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(notice_id)
        .bind(by.0)
        .bind(stored_time(at))
        .bind(&s.cause)
        .bind(&s.fix)
        .bind(&s.prevention)
        .fetch_one(&mut *conn)
        .await)?)
}

/// Decides the latest undecided submission of a notice; `false` if there is none.
pub async fn decide_submission(
    tx: &mut Tx,
    _staff: StaffToken,
    notice_id: i64,
    decision: &str,
    by: UserId,
    at: OffsetDateTime,
    reason: &str,
) -> Result<bool, DbError> {
    let sql = "UPDATE evidence_submissions SET decision = $1, decided_by = $2, decided_at = $3, decision_reason = $4 \
               WHERE id = (SELECT MAX(id) FROM evidence_submissions WHERE notice_id = $5 AND decision IS NULL)";
    let n = on_tx!(tx, |conn| sqlx::query(sql)
        .bind(decision)
        .bind(by.0)
        .bind(stored_time(at))
        .bind(reason)
        .bind(notice_id)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A notice's submissions, oldest first.
pub async fn submissions(db: &Db, notice_id: i64) -> Result<Vec<SubmissionRow>, DbError> {
    let sql = "SELECT e.id, u.email AS submitted_by_email, e.submitted_at, e.cause, e.fix, e.prevention, e.decision, \
               d.email AS decided_by_email, e.decided_at, e.decision_reason FROM evidence_submissions e \
               JOIN users u ON u.id = e.submitted_by LEFT JOIN users d ON d.id = e.decided_by \
               WHERE e.notice_id = $1 ORDER BY e.id";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, SubmissionRow>(sql)
        .bind(notice_id)
        .fetch_all(pool)
        .await)?)
}

/// A dispute with its outcome.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DisputeRow {
    /// Id.
    pub id: i64,
    /// Who disputed.
    pub submitted_by_email: String,
    /// When.
    pub submitted_at: OffsetDateTime,
    /// The customer's reasons.
    pub reasons: String,
    /// `upheld` (the notice stands) or `withdrawn` (the notice is withdrawn), once decided.
    pub outcome: Option<String>,
    /// Who decided.
    pub decided_by_email: Option<String>,
    /// When.
    pub decided_at: Option<OffsetDateTime>,
    /// The statement of reasons the customer sees.
    pub statement_of_reasons: Option<String>,
}

/// Records a dispute.
pub async fn insert_dispute(
    tx: &mut Tx,
    notice_id: i64,
    by: UserId,
    at: OffsetDateTime,
    reasons: &str,
) -> Result<i64, DbError> {
    let sql = "INSERT INTO disputes (notice_id, submitted_by, submitted_at, reasons) VALUES ($1, $2, $3, $4) RETURNING id";
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(notice_id)
        .bind(by.0)
        .bind(stored_time(at))
        .bind(reasons)
        .fetch_one(&mut *conn)
        .await)?)
}

/// Decides a notice's open dispute; `false` if there is none.
pub async fn decide_dispute(
    tx: &mut Tx,
    _staff: StaffToken,
    notice_id: i64,
    outcome: &str,
    by: UserId,
    at: OffsetDateTime,
    statement: &str,
) -> Result<bool, DbError> {
    let sql = "UPDATE disputes SET outcome = $1, decided_by = $2, decided_at = $3, statement_of_reasons = $4 \
               WHERE notice_id = $5 AND outcome IS NULL";
    let n = on_tx!(tx, |conn| sqlx::query(sql)
        .bind(outcome)
        .bind(by.0)
        .bind(stored_time(at))
        .bind(statement)
        .bind(notice_id)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n >= 1)
}

/// A notice's disputes, oldest first.
pub async fn disputes(db: &Db, notice_id: i64) -> Result<Vec<DisputeRow>, DbError> {
    let sql = "SELECT x.id, u.email AS submitted_by_email, x.submitted_at, x.reasons, x.outcome, \
               d.email AS decided_by_email, x.decided_at, x.statement_of_reasons FROM disputes x \
               JOIN users u ON u.id = x.submitted_by LEFT JOIN users d ON d.id = x.decided_by \
               WHERE x.notice_id = $1 ORDER BY x.id";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, DisputeRow>(sql)
        .bind(notice_id)
        .fetch_all(pool)
        .await)?)
}

/// A file attached to a submission.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FileRow {
    /// Id (the download link's).
    pub id: i64,
    /// The submission.
    pub submission_id: i64,
    /// The notice (for access checks).
    pub notice_id: i64,
    /// What it was offered as.
    pub kind: String,
    /// The name shown (never a path).
    pub display_name: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// MIME type found in the content.
    pub detected_type: String,
    /// Hex SHA-256.
    pub sha256: String,
    /// Its name in the evidence store; `None` for files stored under the bare SHA-256.
    pub storage_name: Option<String>,
}

impl FileRow {
    /// The stored file's name in the evidence store.
    pub fn stored_as(&self) -> &str {
        self.storage_name.as_deref().unwrap_or(&self.sha256)
    }
}

/// A file about to be recorded.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// Stored kind spelling.
    pub kind: crate::domain::evidence::EvidenceFileKind,
    /// Display name.
    pub display_name: String,
    /// Size.
    pub size_bytes: i64,
    /// Detected type.
    pub detected: crate::domain::evidence::DetectedType,
    /// Hex SHA-256.
    pub sha256: String,
    /// Its name in the evidence store.
    pub storage_name: String,
}

/// Records a file of a submission.
pub async fn insert_file(tx: &mut Tx, submission_id: i64, f: &NewFile) -> Result<(), DbError> {
    let sql = "INSERT INTO evidence_files (submission_id, kind, display_name, size_bytes, detected_type, sha256, storage_name) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on_tx!(tx, |conn| sqlx::query(sql)
        .bind(submission_id)
        .bind(f.kind.as_str())
        .bind(&f.display_name)
        .bind(f.size_bytes)
        .bind(f.detected.as_str())
        .bind(&f.sha256)
        .bind(&f.storage_name)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

const FILE_SELECT: &str = "SELECT f.id, f.submission_id, e.notice_id, f.kind, f.display_name, f.size_bytes, \
     f.detected_type, f.sha256, f.storage_name FROM evidence_files f JOIN evidence_submissions e ON e.id = f.submission_id";

/// A notice's files, by submission then id.
pub async fn files_of_notice(db: &Db, notice_id: i64) -> Result<Vec<FileRow>, DbError> {
    let sql = format!("{FILE_SELECT} WHERE e.notice_id = $1 ORDER BY f.submission_id, f.id");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, FileRow>(&sql)
        .bind(notice_id)
        .fetch_all(pool)
        .await)?)
}

/// One file.
pub async fn file(db: &Db, id: i64) -> Result<Option<FileRow>, DbError> {
    let sql = format!("{FILE_SELECT} WHERE f.id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, FileRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// Every stored file's name that a row refers to (for the orphan sweep).
pub async fn referenced_names(db: &Db) -> Result<std::collections::HashSet<String>, DbError> {
    let rows: Vec<String> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(storage_name, sha256) FROM evidence_files"
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().collect())
}

const ORG_EVIDENCE_BYTES: &str = "SELECT CAST(COALESCE(SUM(f.size_bytes), 0) AS BIGINT) \
     FROM evidence_files f JOIN evidence_submissions e ON e.id = f.submission_id \
     JOIN notices n ON n.id = e.notice_id WHERE n.organisation_id = $1";

/// The bytes of evidence an organisation keeps, every submission together.
pub async fn org_evidence_bytes(db: &Db, org: OrgId) -> Result<u64, DbError> {
    let bytes: i64 = on_db!(db, |pool| sqlx::query_scalar(ORG_EVIDENCE_BYTES)
        .bind(org.0)
        .fetch_one(pool)
        .await)?;
    Ok(bytes.max(0) as u64)
}

/// [`org_evidence_bytes`] within a write transaction, with the organisation locked first on
/// PostgreSQL (SQLite's write transaction already excludes other writers), so that two uploads
/// cannot both take the room that is left for one.
pub async fn lock_org_evidence_bytes(tx: &mut Tx, org: OrgId) -> Result<u64, DbError> {
    let lock = format!(
        "SELECT id FROM organisations WHERE id = $1{}",
        tx.lock_clause()
    );
    let bytes: i64 = on_tx!(tx, |conn| {
        sqlx::query(&lock).bind(org.0).execute(&mut *conn).await?;
        sqlx::query_scalar(ORG_EVIDENCE_BYTES)
            .bind(org.0)
            .fetch_one(&mut *conn)
            .await
    })?;
    Ok(bytes.max(0) as u64)
}

/// A staff-only note on a case.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NoteRow {
    /// Author's e-mail.
    pub author_email: String,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: OffsetDateTime,
}

/// Adds an internal note.
pub async fn insert_note(
    tx: &mut Tx,
    _staff: StaffToken,
    notice_id: i64,
    by: UserId,
    at: OffsetDateTime,
    body: &str,
) -> Result<(), DbError> {
    let sql = "INSERT INTO internal_notes (notice_id, author_id, body, created_at) VALUES ($1, $2, $3, $4)";
    on_tx!(tx, |conn| sqlx::query(sql)
        .bind(notice_id)
        .bind(by.0)
        .bind(body)
        .bind(stored_time(at))
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// A case's internal notes, oldest first. Staff only: callers must hold a staff check.
pub async fn notes(db: &Db, _staff: StaffToken, notice_id: i64) -> Result<Vec<NoteRow>, DbError> {
    let sql = "SELECT u.email AS author_email, n.body, n.created_at FROM internal_notes n \
               JOIN users u ON u.id = n.author_id WHERE n.notice_id = $1 ORDER BY n.id";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, NoteRow>(sql)
        .bind(notice_id)
        .fetch_all(pool)
        .await)?)
}
