//! Port-25 requests: drafts, submissions, staff decisions with their reasons, the written
//! approvals (which the database refuses to change), DNS check runs, and the service kinds
//! that start with port 25 restricted.
//!
//! Status changes are conditional updates (`WHERE status = <expected>`), so that two people
//! acting on one request at once cannot both succeed; a unique partial index keeps one live
//! request per address whatever the races.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::actor::StaffToken;
use crate::domain::ids::{OrgId, ServiceId, UserId};
use crate::domain::notice::NoticeCategory;
use crate::domain::service::ServiceKind;
use crate::domain::smtp::{checks::CheckResult, RequestForm, RequestStatus};
use time::{Date, OffsetDateTime};

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// Id.
    pub id: i64,
    /// The organisation that asked.
    pub org_id: OrgId,
    /// The service the address belongs to.
    pub service_id: ServiceId,
    /// The address.
    pub ip: String,
    /// Status.
    pub status: RequestStatus,
    /// The form as last typed.
    pub form: RequestForm,
    /// Who created it.
    pub created_by: UserId,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it was last changed.
    pub updated_at: OffsetDateTime,
    /// When it was submitted.
    pub submitted_at: Option<OffsetDateTime>,
    /// The approval in force or suspended.
    pub approval_id: Option<i64>,
    /// The day its probation ends and it comes back for review.
    pub review_due_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    organisation_id: i64,
    service_id: i64,
    ip: String,
    status: String,
    form: String,
    created_by: i64,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    submitted_at: Option<OffsetDateTime>,
    approval_id: Option<i64>,
    review_due_on: Option<Date>,
}

const REQUEST_COLUMNS: &str = "id, organisation_id, service_id, ip, status, form, created_by, \
                               created_at, updated_at, submitted_at, approval_id, review_due_on";

impl RequestRow {
    fn into_record(self) -> Result<RequestRecord, DbError> {
        Ok(RequestRecord {
            id: self.id,
            org_id: OrgId(self.organisation_id),
            service_id: ServiceId(self.service_id),
            ip: self.ip,
            status: self
                .status
                .parse()
                .map_err(|e: crate::domain::names::UnknownName| DbError::Corrupt(e.to_string()))?,
            form: serde_json::from_str(&self.form)
                .map_err(|e| DbError::Corrupt(format!("request {} form: {e}", self.id)))?,
            created_by: UserId(self.created_by),
            created_at: self.created_at,
            updated_at: self.updated_at,
            submitted_at: self.submitted_at,
            approval_id: self.approval_id,
            review_due_on: self.review_due_on,
        })
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

/// Creates a draft; returns its id.
pub async fn insert_draft(
    tx: &mut Tx,
    org: OrgId,
    service: ServiceId,
    form: &RequestForm,
    by: UserId,
    now: OffsetDateTime,
) -> Result<i64, DbError> {
    let sql =
        "INSERT INTO smtp_requests (organisation_id, service_id, ip, status, form, created_by, \
               created_at, updated_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $6) RETURNING id";
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(org.0)
        .bind(service.0)
        .bind(form.ip.trim())
        .bind(json(&form.bounded()))
        .bind(by.0)
        .bind(stored_time(now))
        .fetch_one(&mut *conn)
        .await)?)
}

/// Saves a draft's form (and its address and service); `false` if it is no longer a draft.
pub async fn save_draft(
    tx: &mut Tx,
    id: i64,
    service: ServiceId,
    form: &RequestForm,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let sql = "UPDATE smtp_requests SET service_id = $2, ip = $3, form = $4, updated_at = $5 \
               WHERE id = $1 AND status = 'draft'";
    let done = on_tx!(tx, |conn| sqlx::query(sql)
        .bind(id)
        .bind(service.0)
        .bind(form.ip.trim())
        .bind(json(&form.bounded()))
        .bind(stored_time(now))
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// A request by id, whoever it belongs to (callers check access).
pub async fn get(db: &Db, id: i64) -> Result<Option<RequestRecord>, DbError> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM smtp_requests WHERE id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, RequestRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)?
    .map(RequestRow::into_record)
    .transpose()
}

/// The user's most recent draft in their organisation.
pub async fn latest_draft(
    db: &Db,
    org: OrgId,
    user: UserId,
) -> Result<Option<RequestRecord>, DbError> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM smtp_requests WHERE organisation_id = $1 AND created_by = $2 \
         AND status = 'draft' ORDER BY id DESC LIMIT 1"
    );
    on_db!(db, |pool| sqlx::query_as::<_, RequestRow>(&sql)
        .bind(org.0)
        .bind(user.0)
        .fetch_optional(pool)
        .await)?
    .map(RequestRow::into_record)
    .transpose()
}

/// A request by id within `tx`, locked on PostgreSQL.
pub async fn get_for_update(tx: &mut Tx, id: i64) -> Result<Option<RequestRecord>, DbError> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM smtp_requests WHERE id = $1{}",
        tx.lock_clause()
    );
    on_tx!(tx, |conn| sqlx::query_as::<_, RequestRow>(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await)?
    .map(RequestRow::into_record)
    .transpose()
}

/// Moves a request from `from` to `to`; `false` when it was no longer in `from`.
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    from: RequestStatus,
    to: RequestStatus,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let sql = "UPDATE smtp_requests SET status = $3, updated_at = $4, \
               submitted_at = CASE WHEN $3 = 'pending' AND submitted_at IS NULL THEN $4 ELSE submitted_at END \
               WHERE id = $1 AND status = $2";
    let done = on_tx!(tx, |conn| sqlx::query(sql)
        .bind(id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(stored_time(now))
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Stores the checked request at submission.
pub async fn set_details(
    tx: &mut Tx,
    id: i64,
    details: &crate::domain::smtp::RequestDetails,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE smtp_requests SET details = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(json(details))
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The checked request stored at submission.
pub async fn details(
    db: &Db,
    id: i64,
) -> Result<Option<crate::domain::smtp::RequestDetails>, DbError> {
    let raw: Option<Option<String>> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT details FROM smtp_requests WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    raw.flatten()
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|e| DbError::Corrupt(format!("request {id} details: {e}")))
        })
        .transpose()
}

/// The live (pending, approved or suspended) request for an address other than `except`.
pub async fn live_for_ip(
    tx: &mut Tx,
    ip: &str,
    except: i64,
) -> Result<Option<(i64, RequestStatus)>, DbError> {
    let sql = "SELECT id, status FROM smtp_requests WHERE ip = $1 AND id <> $2 \
               AND status IN ('pending', 'approved', 'suspended')";
    let row: Option<(i64, String)> = on_tx!(tx, |conn| sqlx::query_as(sql)
        .bind(ip)
        .bind(except)
        .fetch_optional(&mut *conn)
        .await)?;
    row.map(|(id, status)| {
        status
            .parse()
            .map(|s| (id, s))
            .map_err(|e: crate::domain::names::UnknownName| DbError::Corrupt(e.to_string()))
    })
    .transpose()
}

/// The live (pending, approved or suspended) requests of a service: id, address, status.
pub async fn live_of_service(
    tx: &mut Tx,
    service: ServiceId,
) -> Result<Vec<(i64, String, RequestStatus)>, DbError> {
    let sql = "SELECT id, ip, status FROM smtp_requests WHERE service_id = $1 \
               AND status IN ('pending', 'approved', 'suspended') ORDER BY id";
    let rows: Vec<(i64, String, String)> = on_tx!(tx, |conn| sqlx::query_as(sql)
        .bind(service.0)
        .fetch_all(&mut *conn)
        .await)?;
    rows.into_iter()
        .map(|(id, ip, status)| {
            status
                .parse()
                .map(|s| (id, ip, s))
                .map_err(|e: crate::domain::names::UnknownName| DbError::Corrupt(e.to_string()))
        })
        .collect()
}

/// The oldest unfinished spam, phishing or malware case naming `ip`.
pub async fn open_mail_abuse_case(
    tx: &mut Tx,
    ip: &str,
) -> Result<Option<(i64, NoticeCategory)>, DbError> {
    let sql = "SELECT n.id, n.category FROM notices n JOIN notice_ips a ON a.notice_id = n.id \
               WHERE a.address = $1 AND n.category IN ('spam', 'phishing', 'malware') \
               AND n.state NOT IN ('resolved', 'withdrawn', 'closed') ORDER BY n.id LIMIT 1";
    let row: Option<(i64, String)> = on_tx!(tx, |conn| sqlx::query_as(sql)
        .bind(ip)
        .fetch_optional(&mut *conn)
        .await)?;
    row.map(|(id, category)| {
        category
            .parse()
            .map(|c| (id, c))
            .map_err(|e: crate::domain::names::UnknownName| DbError::Corrupt(e.to_string()))
    })
    .transpose()
}

/// One entry of a request's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RequestEvent {
    /// When.
    pub at: OffsetDateTime,
    /// The actor's role (`customer`, `staff`, `admin`, `system`).
    pub actor_role: String,
    /// What happened (`submitted`, `approved`, …).
    pub event: String,
    /// The written reason, if any.
    pub reason: Option<String>,
}

/// Records what happened to a request.
pub async fn add_event(
    tx: &mut Tx,
    request: i64,
    at: OffsetDateTime,
    actor: Option<UserId>,
    actor_role: &str,
    event: &str,
    reason: Option<&str>,
) -> Result<(), DbError> {
    let sql =
        "INSERT INTO smtp_request_events (request_id, at, actor_id, actor_role, event, reason) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, |conn| sqlx::query(sql)
        .bind(request)
        .bind(stored_time(at))
        .bind(actor.map(|u| u.0))
        .bind(actor_role)
        .bind(event)
        .bind(reason)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A request's history, oldest first.
pub async fn events(db: &Db, request: i64) -> Result<Vec<RequestEvent>, DbError> {
    let sql = "SELECT at, actor_role, event, reason FROM smtp_request_events \
               WHERE request_id = $1 ORDER BY id";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, RequestEvent>(sql)
        .bind(request)
        .fetch_all(pool)
        .await)?)
}

/// A written approval to issue.
#[derive(Debug, Clone)]
pub struct NewApproval<'a> {
    /// The request.
    pub request: i64,
    /// Its number (see `domain::smtp::approval_number`).
    pub number: &'a str,
    /// When it is issued.
    pub issued_at: OffsetDateTime,
    /// Who approves.
    pub approved_by: UserId,
    /// Their role as printed on the document.
    pub approver_role: &'a str,
    /// The approval text.
    pub text: &'a str,
    /// Daily cap.
    pub daily_cap: Option<u32>,
    /// End of probation.
    pub probation_until: Option<Date>,
    /// The whole document as issued (JSON).
    pub document: &'a str,
}

/// How many approvals a request has had (for the next one's number). The caller holds the
/// request's row lock, so the count cannot race.
pub async fn approval_count(tx: &mut Tx, request: i64) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM smtp_approvals WHERE request_id = $1"
    )
    .bind(request)
    .fetch_one(&mut *conn)
    .await)?)
}

/// Issues a written approval and points the request at it; returns the approval's id.
pub async fn issue_approval(
    tx: &mut Tx,
    _staff: StaffToken,
    a: &NewApproval<'_>,
) -> Result<i64, DbError> {
    let sql =
        "INSERT INTO smtp_approvals (request_id, number, issued_at, approved_by, approver_role, \
               approval_text, daily_cap, probation_until, document) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let id: i64 = on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(a.request)
        .bind(a.number)
        .bind(stored_time(a.issued_at))
        .bind(a.approved_by.0)
        .bind(a.approver_role)
        .bind(a.text)
        .bind(a.daily_cap.map(i64::from))
        .bind(a.probation_until)
        .bind(a.document)
        .fetch_one(&mut *conn)
        .await)?;
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE smtp_requests SET approval_id = $2, review_due_on = $3 WHERE id = $1"
    )
    .bind(a.request)
    .bind(id)
    .bind(a.probation_until)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(id)
}

/// A stored written approval.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApprovalRecord {
    /// Id.
    pub id: i64,
    /// The request.
    pub request_id: i64,
    /// Its number.
    pub number: String,
    /// When it was issued.
    pub issued_at: OffsetDateTime,
    /// The approver's role.
    pub approver_role: String,
    /// The approval text.
    pub approval_text: String,
    /// Daily cap.
    pub daily_cap: Option<i64>,
    /// End of probation.
    pub probation_until: Option<Date>,
    /// The document as issued (JSON).
    pub document: String,
}

/// The approvals issued for a request, newest first.
pub async fn approvals(db: &Db, request: i64) -> Result<Vec<ApprovalRecord>, DbError> {
    let sql = "SELECT id, request_id, number, issued_at, approver_role, approval_text, daily_cap, \
               probation_until, document FROM smtp_approvals WHERE request_id = $1 ORDER BY id DESC";
    Ok(on_db!(db, |pool| sqlx::query_as::<_, ApprovalRecord>(sql)
        .bind(request)
        .fetch_all(pool)
        .await)?)
}

/// Stores a run of the DNS checks.
pub async fn insert_check_run(
    db: &Db,
    request: i64,
    at: OffsetDateTime,
    by: Option<UserId>,
    results: &[CheckResult],
) -> Result<(), DbError> {
    use crate::domain::smtp::checks::CheckStatus;
    let count = |s: CheckStatus| results.iter().filter(|r| r.status == s).count() as i32;
    let sql = "INSERT INTO smtp_check_runs (request_id, run_at, run_by, passed, failed, unknown, results) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on_db!(db, |pool| sqlx::query(sql)
        .bind(request)
        .bind(stored_time(at))
        .bind(by.map(|u| u.0))
        .bind(count(CheckStatus::Pass))
        .bind(count(CheckStatus::Fail))
        .bind(count(CheckStatus::Unknown))
        .bind(json(&results))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The latest run of the DNS checks: when, and the results.
pub async fn latest_check_run(
    db: &Db,
    request: i64,
) -> Result<Option<(OffsetDateTime, Vec<CheckResult>)>, DbError> {
    let sql = "SELECT run_at, results FROM smtp_check_runs WHERE request_id = $1 ORDER BY id DESC LIMIT 1";
    let row: Option<(OffsetDateTime, String)> = on_db!(db, |pool| sqlx::query_as(sql)
        .bind(request)
        .fetch_optional(pool)
        .await)?;
    row.map(|(at, text)| {
        serde_json::from_str(&text)
            .map(|results| (at, results))
            .map_err(|e| DbError::Corrupt(format!("check run of request {request}: {e}")))
    })
    .transpose()
}

/// An organisation's requests, newest first, `limit` after the keyset cursor `before_id`.
pub async fn page_for_org(
    db: &Db,
    org: OrgId,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<RequestRecord>, DbError> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM smtp_requests WHERE organisation_id = $1 AND id < $2 \
         ORDER BY id DESC LIMIT $3"
    );
    on_db!(db, |pool| sqlx::query_as::<_, RequestRow>(&sql)
        .bind(org.0)
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await)?
    .into_iter()
    .map(RequestRow::into_record)
    .collect()
}

const RESTRICTED_BY_DEFAULT: &str =
    "SELECT restricted FROM port25_defaults WHERE service_kind = $1";

/// Whether new services of `kind` start with port 25 restricted.
pub async fn restricted_by_default(db: &Db, kind: ServiceKind) -> Result<bool, DbError> {
    let found: Option<bool> = on_db!(db, |pool| sqlx::query_scalar(RESTRICTED_BY_DEFAULT)
        .bind(kind.as_str())
        .fetch_optional(pool)
        .await)?;
    Ok(found.unwrap_or(true))
}

/// [`restricted_by_default`], read inside a transaction (which must not wait for a second
/// connection from the pool while it holds one).
pub async fn restricted_by_default_in_tx(tx: &mut Tx, kind: ServiceKind) -> Result<bool, DbError> {
    let found: Option<bool> = on_tx!(tx, |conn| sqlx::query_scalar(RESTRICTED_BY_DEFAULT)
        .bind(kind.as_str())
        .fetch_optional(&mut *conn)
        .await)?;
    Ok(found.unwrap_or(true))
}

/// Sets whether new services of `kind` start with port 25 restricted.
pub async fn set_restricted_by_default(
    tx: &mut Tx,
    kind: ServiceKind,
    restricted: bool,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO port25_defaults (service_kind, restricted) VALUES ($1, $2) \
         ON CONFLICT (service_kind) DO UPDATE SET restricted = excluded.restricted"
    )
    .bind(kind.as_str())
    .bind(restricted)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A row of the staff queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    /// The request.
    pub request: RequestRecord,
    /// Its organisation's name.
    pub organisation: String,
    /// Its service's name.
    pub service_label: String,
    /// The latest checks: passed, failed, could not check.
    pub checks: Option<(u32, u32, u32)>,
}

#[derive(sqlx::FromRow)]
struct QueueSqlRow {
    #[sqlx(flatten)]
    request: RequestRow,
    organisation: String,
    service_label: String,
    checks: Option<String>,
}

/// Which requests the staff queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueFilter {
    /// What waits for staff: pending and suspended requests, and approvals whose probation
    /// ended by `today`.
    Waiting,
    /// Requests in one status.
    Status(RequestStatus),
}

/// A page of the staff queue, oldest submission first, after the keyset cursor
/// `(submitted_at, id)`.
pub async fn queue(
    db: &Db,
    _staff: StaffToken,
    filter: QueueFilter,
    today: Date,
    after: Option<(OffsetDateTime, i64)>,
    limit: i64,
) -> Result<Vec<QueueRow>, DbError> {
    // One statement for both filters ($5 is '' for "waiting"), so that every parameter is
    // used and PostgreSQL can type it.
    let condition = "(($5 = '' AND (r.status IN ('pending', 'suspended') \
                     OR (r.status = 'approved' AND r.review_due_on <= $1))) OR r.status = $5)";
    let columns = REQUEST_COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns}, o.name AS organisation, s.label AS service_label, \
         (SELECT CAST(c.passed AS TEXT) || '/' || CAST(c.failed AS TEXT) || '/' || CAST(c.unknown AS TEXT) \
          FROM smtp_check_runs c WHERE c.request_id = r.id ORDER BY c.id DESC LIMIT 1) AS checks \
         FROM smtp_requests r JOIN organisations o ON o.id = r.organisation_id \
         JOIN services s ON s.id = r.service_id \
         WHERE {condition} AND r.submitted_at IS NOT NULL AND (r.submitted_at, r.id) > ($2, $3) \
         ORDER BY r.submitted_at, r.id LIMIT $4"
    );
    let (after_at, after_id) = after.unwrap_or((OffsetDateTime::UNIX_EPOCH, 0));
    let status = match filter {
        QueueFilter::Status(s) => s.as_str(),
        QueueFilter::Waiting => "",
    };
    let rows = on_db!(db, |pool| sqlx::query_as::<_, QueueSqlRow>(&sql)
        .bind(today)
        .bind(stored_time(after_at))
        .bind(after_id)
        .bind(limit)
        .bind(status)
        .fetch_all(pool)
        .await)?;
    rows.into_iter()
        .map(|row| {
            let checks = row.checks.and_then(|text| {
                let mut parts = text.split('/').map(|p| p.parse::<u32>().ok());
                Some((parts.next()??, parts.next()??, parts.next()??))
            });
            Ok(QueueRow {
                request: row.request.into_record()?,
                organisation: row.organisation,
                service_label: row.service_label,
                checks,
            })
        })
        .collect()
}
