//! Report intake: every report received (failed ones with their reason), the events each names,
//! the cases waiting for verification, events added to open notices, and the public forms'
//! rate-limit counters.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::ids::{OrgId, ServiceId, UserId};
use crate::domain::notice::NoticeCategory;
use crate::domain::report::{EventState, IntakeChannel, IntakeStatus, ReportFormat};
use time::OffsetDateTime;

/// A report received, about to be recorded.
#[derive(Debug, Clone)]
pub struct NewIntake<'a> {
    /// When.
    pub received_at: OffsetDateTime,
    /// How.
    pub channel: IntakeChannel,
    /// In what shape.
    pub format: ReportFormat,
    /// `None` when read; the reason when not.
    pub failure: Option<&'a str>,
    /// Who reported.
    pub reporter: Option<&'a str>,
    /// The report's own identifier.
    pub external_id: Option<&'a str>,
    /// Its size.
    pub byte_count: i64,
    /// Its SHA-256, hex.
    pub sha256: &'a str,
    /// The fields kept, as JSON.
    pub kept_fields: &'a str,
    /// The reporter's words (forms).
    pub description: Option<&'a str>,
    /// The admin behind the token or the command.
    pub received_by: Option<UserId>,
    /// The client's address (forms).
    pub client_address: Option<&'a str>,
    /// How many events it names.
    pub event_count: i64,
}

/// Records a report received.
pub async fn insert_intake(tx: &mut Tx, i: &NewIntake<'_>) -> Result<i64, DbError> {
    let status = if i.failure.is_some() {
        IntakeStatus::Failed
    } else {
        IntakeStatus::Accepted
    };
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO report_intakes (received_at, channel, format, status, failure, reporter, external_id, \
         byte_count, sha256, kept_fields, description, received_by, client_address, event_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id"
    )
    .bind(stored_time(i.received_at))
    .bind(i.channel.as_str())
    .bind(i.format.as_str())
    .bind(status.as_str())
    .bind(i.failure)
    .bind(i.reporter)
    .bind(i.external_id)
    .bind(i.byte_count)
    .bind(i.sha256)
    .bind(i.kept_fields)
    .bind(i.description)
    .bind(i.received_by.map(|u| u.0))
    .bind(i.client_address)
    .bind(i.event_count)
    .fetch_one(&mut *conn)
    .await
    })?)
}

/// An accepted report with the same identifier from the same reporter, if one was received.
pub async fn same_report_in_tx(
    tx: &mut Tx,
    external_id: &str,
    reporter: Option<&str>,
) -> Result<Option<(i64, String)>, DbError> {
    Ok(on_tx!(tx, |conn| sqlx::query_as(
        "SELECT id, format FROM report_intakes WHERE external_id = $1 AND status = 'accepted' \
         AND (reporter = $2 OR (reporter IS NULL AND $2 IS NULL)) ORDER BY id LIMIT 1"
    )
    .bind(external_id)
    .bind(reporter)
    .fetch_optional(&mut *conn)
    .await)?)
}

/// An event about to be recorded, with where it went.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// Its report.
    pub intake: i64,
    /// The source as reported.
    pub source: &'a str,
    /// When.
    pub occurred_at: OffsetDateTime,
    /// What kind.
    pub category: NoticeCategory,
    /// How many incidents.
    pub incidents: i64,
    /// For staff.
    pub detail: &'a str,
    /// Where it stands.
    pub state: EventState,
    /// The holder at the time.
    pub holder: Option<(OrgId, ServiceId, &'a str)>,
    /// The open notice it was added to.
    pub notice: Option<i64>,
    /// The case waiting for verification it joined.
    pub pending: Option<i64>,
}

/// Records an event.
pub async fn insert_event(tx: &mut Tx, e: &NewEvent<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO report_events (intake_id, source, occurred_at, category, incidents, detail, state, \
         organisation_id, service_id, block, notice_id, pending_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
    )
    .bind(e.intake)
    .bind(e.source)
    .bind(stored_time(e.occurred_at))
    .bind(e.category.as_str())
    .bind(e.incidents)
    .bind(e.detail)
    .bind(e.state.as_str())
    .bind(e.holder.map(|h| h.0 .0))
    .bind(e.holder.map(|h| h.1 .0))
    .bind(e.holder.map(|h| h.2))
    .bind(e.notice)
    .bind(e.pending)
    .fetch_one(&mut *conn)
    .await
    })?)
}

/// The newest unfinished notice of a service in a category.
const OPEN_NOTICE: &str = "SELECT id, event_count, escalation_level FROM notices \
     WHERE service_id = $1 AND category = $2 AND state NOT IN ('resolved', 'withdrawn', 'closed') \
     ORDER BY id DESC LIMIT 1";

/// The newest unfinished notice of a service in a category, locked, with its event count and
/// escalation level.
pub async fn open_notice_for(
    tx: &mut Tx,
    service: ServiceId,
    category: NoticeCategory,
) -> Result<Option<(i64, i64, i64)>, DbError> {
    let sql = format!("{OPEN_NOTICE}{}", tx.lock_clause());
    Ok(on_tx!(tx, |conn| sqlx::query_as::<_, (i64, i64, i64)>(
        &sql
    )
    .bind(service.0)
    .bind(category.as_str())
    .fetch_optional(&mut *conn)
    .await)?)
}

/// The id of the newest unfinished notice of a service in a category, if any (for the pages).
pub async fn open_notice_id(
    db: &Db,
    service: ServiceId,
    category: NoticeCategory,
) -> Result<Option<i64>, DbError> {
    let row: Option<(i64, i64, i64)> = on_db!(db, |pool| sqlx::query_as(OPEN_NOTICE)
        .bind(service.0)
        .bind(category.as_str())
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(|(id, _, _)| id))
}

/// Adds `incidents` verified events seen between `seen_from` and `seen_until` from `blocks` to
/// a notice, at escalation level `escalation_level`.
#[allow(clippy::too_many_arguments)]
pub async fn grow_notice(
    tx: &mut Tx,
    notice: i64,
    incidents: i64,
    seen_from: OffsetDateTime,
    seen_until: OffsetDateTime,
    blocks: &[String],
    escalation_level: i64,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE notices SET event_count = event_count + $2, \
         first_seen_at = CASE WHEN first_seen_at > $3 THEN $3 ELSE first_seen_at END, \
         last_seen_at = CASE WHEN last_seen_at < $4 THEN $4 ELSE last_seen_at END, \
         escalation_level = $5, updated_at = $6 WHERE id = $1"
    )
    .bind(notice)
    .bind(incidents)
    .bind(stored_time(seen_from))
    .bind(stored_time(seen_until))
    .bind(escalation_level)
    .bind(stored_time(now))
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    for block in blocks {
        on_tx!(tx, |conn| sqlx::query(
            "INSERT INTO notice_ips (notice_id, address) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        )
        .bind(notice)
        .bind(block)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// Sets a notice's escalation level (when it is opened from a verified case).
pub async fn set_escalation(tx: &mut Tx, notice: i64, level: i64) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE notices SET escalation_level = $2 WHERE id = $1"
    )
    .bind(notice)
    .bind(level)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The live case waiting for verification of a service in a category, locked.
pub async fn live_pending(
    tx: &mut Tx,
    service: ServiceId,
    category: NoticeCategory,
) -> Result<Option<i64>, DbError> {
    let sql = format!(
        "SELECT id FROM pending_cases WHERE service_id = $1 AND category = $2 AND state = 'needs_verification'{}",
        tx.lock_clause()
    );
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(&sql)
        .bind(service.0)
        .bind(category.as_str())
        .fetch_optional(&mut *conn)
        .await)?)
}

/// Opens a case waiting for verification with its first incidents.
pub async fn insert_pending(
    tx: &mut Tx,
    org: OrgId,
    service: ServiceId,
    category: NoticeCategory,
    incidents: i64,
    occurred_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO pending_cases (organisation_id, service_id, category, state, event_count, first_seen_at, \
         last_seen_at, created_at, updated_at) VALUES ($1, $2, $3, 'needs_verification', $4, $5, $5, $6, $6) RETURNING id"
    )
    .bind(org.0)
    .bind(service.0)
    .bind(category.as_str())
    .bind(incidents)
    .bind(stored_time(occurred_at))
    .bind(stored_time(now))
    .fetch_one(&mut *conn)
    .await
    })?)
}

/// Adds incidents to a case waiting for verification.
pub async fn grow_pending(
    tx: &mut Tx,
    id: i64,
    incidents: i64,
    occurred_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let at = stored_time(occurred_at);
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE pending_cases SET event_count = event_count + $2, \
         first_seen_at = CASE WHEN first_seen_at > $3 THEN $3 ELSE first_seen_at END, \
         last_seen_at = CASE WHEN last_seen_at < $3 THEN $3 ELSE last_seen_at END, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(incidents)
    .bind(at)
    .bind(stored_time(now))
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// A report received, as staff see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IntakeRow {
    /// Id.
    pub id: i64,
    /// When.
    pub received_at: OffsetDateTime,
    /// How (stored spelling).
    pub channel: String,
    /// Shape (stored spelling).
    pub format: String,
    /// Accepted or failed (stored spelling).
    pub status: String,
    /// Why it failed.
    pub failure: Option<String>,
    /// Who reported.
    pub reporter: Option<String>,
    /// Its own identifier.
    pub external_id: Option<String>,
    /// Size.
    pub byte_count: i64,
    /// SHA-256.
    pub sha256: String,
    /// Kept fields (JSON).
    pub kept_fields: String,
    /// The reporter's words.
    pub description: Option<String>,
    /// The admin behind it (e-mail).
    pub received_by_email: Option<String>,
    /// Client address (forms).
    pub client_address: Option<String>,
    /// Events named.
    pub event_count: i64,
}

const INTAKE_SELECT: &str = "SELECT i.id, i.received_at, i.channel, i.format, i.status, i.failure, i.reporter, \
     i.external_id, i.byte_count, i.sha256, i.kept_fields, i.description, u.email AS received_by_email, \
     i.client_address, i.event_count FROM report_intakes i LEFT JOIN users u ON u.id = i.received_by";

/// A page of reports, newest first, before id `before`; only failed ones with `failed_only`.
pub async fn intakes_page(
    db: &Db,
    failed_only: bool,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<IntakeRow>, DbError> {
    let sql = format!(
        "{INTAKE_SELECT} WHERE ($1 = 0 OR i.status = 'failed') AND i.id < $2 ORDER BY i.id DESC LIMIT $3"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, IntakeRow>(&sql)
        .bind(i64::from(failed_only))
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// One report.
pub async fn intake(db: &Db, id: i64) -> Result<Option<IntakeRow>, DbError> {
    let sql = format!("{INTAKE_SELECT} WHERE i.id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, IntakeRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// A reported event, as staff see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// Id.
    pub id: i64,
    /// Its report.
    pub intake_id: i64,
    /// Its report's format (stored spelling).
    pub format: String,
    /// Source.
    pub source: String,
    /// When.
    pub occurred_at: OffsetDateTime,
    /// Category (stored spelling).
    pub category: String,
    /// Incidents.
    pub incidents: i64,
    /// Detail.
    pub detail: String,
    /// State (stored spelling).
    pub state: String,
    /// The holder's organisation.
    pub organisation_name: Option<String>,
    /// The holder's service.
    pub service_id: Option<i64>,
    /// Its label.
    pub service_label: Option<String>,
    /// The block held.
    pub block: Option<String>,
    /// The notice it counts in.
    pub notice_id: Option<i64>,
    /// The case it waits in.
    pub pending_id: Option<i64>,
    /// Why staff dismissed it.
    pub decision_reason: Option<String>,
}

const EVENT_SELECT: &str = "SELECT e.id, e.intake_id, i.format, e.source, e.occurred_at, e.category, e.incidents, \
     e.detail, e.state, o.name AS organisation_name, e.service_id, s.label AS service_label, e.block, e.notice_id, \
     e.pending_id, e.decision_reason FROM report_events e JOIN report_intakes i ON i.id = e.intake_id \
     LEFT JOIN organisations o ON o.id = e.organisation_id LEFT JOIN services s ON s.id = e.service_id";

/// The events of one report.
pub async fn events_of_intake(db: &Db, intake: i64) -> Result<Vec<EventRow>, DbError> {
    let sql = format!("{EVENT_SELECT} WHERE e.intake_id = $1 ORDER BY e.id LIMIT 1000");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, EventRow>(&sql)
        .bind(intake)
        .fetch_all(pool)
        .await)?)
}

/// The newest events of a case waiting for verification (at most `limit`).
pub async fn events_of_pending(
    db: &Db,
    pending: i64,
    limit: i64,
) -> Result<Vec<EventRow>, DbError> {
    let sql = format!("{EVENT_SELECT} WHERE e.pending_id = $1 ORDER BY e.id DESC LIMIT $2");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, EventRow>(&sql)
        .bind(pending)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// The newest reported events of a notice (at most `limit`).
pub async fn events_of_notice(db: &Db, notice: i64, limit: i64) -> Result<Vec<EventRow>, DbError> {
    let sql = format!("{EVENT_SELECT} WHERE e.notice_id = $1 ORDER BY e.id DESC LIMIT $2");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, EventRow>(&sql)
        .bind(notice)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// A page of unmatched events, newest first, before id `before`.
pub async fn unmatched_page(
    db: &Db,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<EventRow>, DbError> {
    let sql = format!(
        "{EVENT_SELECT} WHERE e.state = 'unmatched' AND e.id < $1 ORDER BY e.id DESC LIMIT $2"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, EventRow>(&sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// One event.
pub async fn event(db: &Db, id: i64) -> Result<Option<EventRow>, DbError> {
    let sql = format!("{EVENT_SELECT} WHERE e.id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, EventRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// A case waiting for verification (or decided), as staff see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingRow {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// Service.
    pub service_id: i64,
    /// Its label.
    pub service_label: String,
    /// Category (stored spelling).
    pub category: String,
    /// State (stored spelling).
    pub state: String,
    /// Incidents so far.
    pub event_count: i64,
    /// First.
    pub first_seen_at: OffsetDateTime,
    /// Last.
    pub last_seen_at: OffsetDateTime,
    /// Opened.
    pub created_at: OffsetDateTime,
    /// The notice it became.
    pub notice_id: Option<i64>,
    /// Who decided (e-mail).
    pub decided_by_email: Option<String>,
    /// When.
    pub decided_at: Option<OffsetDateTime>,
    /// Why.
    pub decision_reason: Option<String>,
}

const PENDING_SELECT: &str = "SELECT p.id, p.organisation_id, o.name AS organisation_name, p.service_id, \
     s.label AS service_label, p.category, p.state, p.event_count, p.first_seen_at, p.last_seen_at, p.created_at, \
     p.notice_id, u.email AS decided_by_email, p.decided_at, p.decision_reason FROM pending_cases p \
     JOIN organisations o ON o.id = p.organisation_id JOIN services s ON s.id = p.service_id \
     LEFT JOIN users u ON u.id = p.decided_by";

/// A page of cases waiting for verification, oldest first (the queue), after id `after`.
pub async fn pending_page(
    db: &Db,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<PendingRow>, DbError> {
    let sql = format!(
        "{PENDING_SELECT} WHERE p.state = 'needs_verification' AND p.id > $1 ORDER BY p.id LIMIT $2"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, PendingRow>(&sql)
        .bind(after.unwrap_or(0))
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// One case waiting for verification (or decided).
pub async fn pending(db: &Db, id: i64) -> Result<Option<PendingRow>, DbError> {
    let sql = format!("{PENDING_SELECT} WHERE p.id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, PendingRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// The distinct blocks a waiting case's events came from.
pub async fn blocks_of_pending_in_tx(tx: &mut Tx, pending: i64) -> Result<Vec<String>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "SELECT DISTINCT block FROM report_events WHERE pending_id = $1 AND block IS NOT NULL ORDER BY block"
    )
    .bind(pending)
    .fetch_all(&mut *conn)
    .await
    })?)
}

/// Ends a waiting case (verified into `notice`, or dismissed), if it is still waiting; `false`
/// when someone decided first. Its events follow.
pub async fn decide_pending(
    tx: &mut Tx,
    id: i64,
    notice: Option<i64>,
    by: UserId,
    reason: &str,
    now: OffsetDateTime,
) -> Result<bool, DbError> {
    let (state, event_state) = if notice.is_some() {
        ("verified", EventState::Verified)
    } else {
        ("dismissed", EventState::Dismissed)
    };
    let n = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE pending_cases SET state = $2, notice_id = $3, decided_by = $4, decided_at = $5, \
         decision_reason = $6, updated_at = $5 WHERE id = $1 AND state = 'needs_verification'"
    )
    .bind(id)
    .bind(state)
    .bind(notice)
    .bind(by.0)
    .bind(stored_time(now))
    .bind(reason)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE report_events SET state = $2, notice_id = $3, decided_by = $4, decided_at = $5, decision_reason = $6 \
         WHERE pending_id = $1"
    )
    .bind(id)
    .bind(event_state.as_str())
    .bind(notice)
    .bind(by.0)
    .bind(stored_time(now))
    .bind(reason)
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(true)
}

/// An unmatched event, locked, if it is still unmatched: its report, source, time, category,
/// incidents and detail.
pub async fn lock_unmatched(
    tx: &mut Tx,
    id: i64,
) -> Result<Option<(i64, String, OffsetDateTime, String, i64, String)>, DbError> {
    let sql = format!(
        "SELECT intake_id, source, occurred_at, category, incidents, detail FROM report_events \
         WHERE id = $1 AND state = 'unmatched'{}",
        tx.lock_clause()
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await)?)
}

/// Where an unmatched event went: matched again, or dismissed by a person with a reason.
#[derive(Debug, Clone, Copy)]
pub struct Resolution<'a> {
    /// Its new state.
    pub state: EventState,
    /// The holder it was matched to.
    pub holder: Option<(OrgId, ServiceId, &'a str)>,
    /// The open notice it was added to.
    pub notice: Option<i64>,
    /// The waiting case it joined.
    pub pending: Option<i64>,
    /// Who decided, and why.
    pub decided: Option<(UserId, &'a str)>,
}

/// Records where an unmatched event went.
pub async fn resolve_event(
    tx: &mut Tx,
    id: i64,
    r: &Resolution<'_>,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let Resolution {
        state,
        holder,
        notice,
        pending,
        decided,
    } = *r;
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE report_events SET state = $2, organisation_id = $3, service_id = $4, block = $5, notice_id = $6, \
         pending_id = $7, decided_by = $8, decision_reason = $9, decided_at = $10 WHERE id = $1"
    )
    .bind(id)
    .bind(state.as_str())
    .bind(holder.map(|h| h.0 .0))
    .bind(holder.map(|h| h.1 .0))
    .bind(holder.map(|h| h.2))
    .bind(notice)
    .bind(pending)
    .bind(decided.map(|d| d.0 .0))
    .bind(decided.map(|d| d.1))
    .bind(decided.map(|_| stored_time(now)))
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// What waits for staff: cases to verify, unmatched events, and reports that failed in the
/// last week.
pub async fn waiting_counts(db: &Db, since: OffsetDateTime) -> Result<(i64, i64, i64), DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT (SELECT COUNT(*) FROM pending_cases WHERE state = 'needs_verification'), \
         (SELECT COUNT(*) FROM report_events WHERE state = 'unmatched'), \
         (SELECT COUNT(*) FROM report_intakes WHERE status = 'failed' AND received_at >= $1)"
    )
    .bind(stored_time(since))
    .fetch_one(pool)
    .await)?)
}

/// Counts one hit for `key` in the window that starts at `window_start`; the count so far.
pub async fn hit(db: &Db, key: &str, window_start: OffsetDateTime) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "INSERT INTO rate_windows (key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_windows.hits + 1 RETURNING hits"
    )
    .bind(key)
    .bind(stored_time(window_start))
    .fetch_one(pool)
    .await)?)
}

/// Forgets rate-limit windows that started before `before`.
pub async fn forget_windows(db: &Db, before: OffsetDateTime) -> Result<u64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query(
        "DELETE FROM rate_windows WHERE window_start < $1"
    )
    .bind(stored_time(before))
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?)
}
