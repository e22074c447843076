//! Notices (abuse cases): creating them, reading one within an organisation's scope, keyset
//! lists for customers and the staff queue, state and deadline changes.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::actor::StaffToken;
use crate::domain::ids::{OrgId, ServiceId, UserId};
use crate::domain::notice::{NoticeCategory, NoticeSource, NoticeState};
use crate::domain::service::{ServiceKind, ServiceState};
use time::OffsetDateTime;

/// A notice about to be opened.
#[derive(Debug, Clone)]
pub struct NewNotice {
    /// The organisation the service belongs to.
    pub org: OrgId,
    /// The affected service.
    pub service: ServiceId,
    /// The affected addresses (the service's own).
    pub ips: Vec<String>,
    /// Abuse kind.
    pub category: NoticeCategory,
    /// Report source.
    pub source: NoticeSource,
    /// High-risk (policy §5).
    pub high_risk: bool,
    /// What was observed, without payloads.
    pub summary: String,
    /// Verified abuse events.
    pub event_count: i64,
    /// First event.
    pub first_seen_at: OffsetDateTime,
    /// Last event.
    pub last_seen_at: OffsetDateTime,
    /// How the report was verified.
    pub verification_note: String,
    /// Who verified it.
    pub verified_by: UserId,
    /// When the customer was notified.
    pub notified_at: OffsetDateTime,
    /// Response deadline.
    pub deadline_at: OffsetDateTime,
    /// Why the deadline is not the standard one.
    pub deadline_reason: Option<String>,
}

/// Inserts a notice and its addresses; the caller appends the first audit entry in `tx`.
pub async fn insert(
    tx: &mut Tx,
    _staff: StaffToken,
    n: &NewNotice,
    now: OffsetDateTime,
) -> Result<i64, DbError> {
    let sql = "INSERT INTO notices (organisation_id, service_id, category, source, state, high_risk, summary, \
               event_count, first_seen_at, last_seen_at, verification_note, verified_by, notified_at, deadline_at, \
               deadline_reason, updated_at, audit_head, audit_count) \
               VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, '', 0) RETURNING id";
    let id: i64 = on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(n.org.0)
        .bind(n.service.0)
        .bind(n.category.as_str())
        .bind(n.source.as_str())
        .bind(n.high_risk)
        .bind(&n.summary)
        .bind(n.event_count)
        .bind(stored_time(n.first_seen_at))
        .bind(stored_time(n.last_seen_at))
        .bind(&n.verification_note)
        .bind(n.verified_by.0)
        .bind(stored_time(n.notified_at))
        .bind(stored_time(n.deadline_at))
        .bind(n.deadline_reason.as_deref())
        .bind(stored_time(now))
        .fetch_one(&mut *conn)
        .await)?;
    for ip in &n.ips {
        on_tx!(tx, |conn| sqlx::query(
            "INSERT INTO notice_ips (notice_id, address) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(ip)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    }
    Ok(id)
}

/// A notice with its service and organisation, as pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRecord {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub org_id: OrgId,
    /// Organisation name.
    pub org_name: String,
    /// Service.
    pub service_id: ServiceId,
    /// Service label.
    pub service_label: String,
    /// Service kind.
    pub service_kind: ServiceKind,
    /// Service state.
    pub service_state: ServiceState,
    /// Affected addresses.
    pub ips: Vec<String>,
    /// Abuse kind.
    pub category: NoticeCategory,
    /// Report source.
    pub source: NoticeSource,
    /// State.
    pub state: NoticeState,
    /// High-risk.
    pub high_risk: bool,
    /// Observations.
    pub summary: String,
    /// Verified events.
    pub event_count: i64,
    /// First event.
    pub first_seen_at: OffsetDateTime,
    /// Last event.
    pub last_seen_at: OffsetDateTime,
    /// Verification note (staff only in views).
    pub verification_note: String,
    /// Notified at.
    pub notified_at: OffsetDateTime,
    /// Deadline.
    pub deadline_at: OffsetDateTime,
    /// Why the deadline is not the standard one.
    pub deadline_reason: Option<String>,
    /// How many escalation thresholds its verified events reached (0: not escalated).
    pub escalation_level: i64,
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: i64,
    organisation_id: i64,
    org_name: String,
    service_id: i64,
    service_label: String,
    service_kind: String,
    service_state: String,
    category: String,
    source: String,
    state: String,
    high_risk: bool,
    summary: String,
    event_count: i64,
    first_seen_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    verification_note: String,
    notified_at: OffsetDateTime,
    deadline_at: OffsetDateTime,
    deadline_reason: Option<String>,
    escalation_level: i64,
    /// The notice's addresses, separated by spaces, in no particular order (none: `NULL`).
    ips: Option<String>,
}

fn corrupt(e: crate::domain::names::UnknownName) -> DbError {
    DbError::Corrupt(e.to_string())
}

impl NoticeRow {
    fn into_record(self) -> Result<NoticeRecord, DbError> {
        // Sorted here rather than in the statement: an ordered aggregate made SQLite sort once
        // per notice, and byte order is the same on both engines.
        let mut ips: Vec<String> = self
            .ips
            .map(|ips| ips.split(' ').map(str::to_owned).collect())
            .unwrap_or_default();
        ips.sort_unstable();
        Ok(NoticeRecord {
            id: self.id,
            org_id: OrgId(self.organisation_id),
            org_name: self.org_name,
            service_id: ServiceId(self.service_id),
            service_label: self.service_label,
            service_kind: self.service_kind.parse().map_err(corrupt)?,
            service_state: self.service_state.parse().map_err(corrupt)?,
            ips,
            category: self.category.parse().map_err(corrupt)?,
            source: self.source.parse().map_err(corrupt)?,
            state: self.state.parse().map_err(corrupt)?,
            high_risk: self.high_risk,
            summary: self.summary,
            event_count: self.event_count,
            first_seen_at: self.first_seen_at,
            last_seen_at: self.last_seen_at,
            verification_note: self.verification_note,
            notified_at: self.notified_at,
            deadline_at: self.deadline_at,
            deadline_reason: self.deadline_reason,
            escalation_level: self.escalation_level,
        })
    }
}

const NOTICE_SELECT: &str = "SELECT n.id, n.organisation_id, o.name AS org_name, n.service_id, s.label AS service_label, \
     s.kind AS service_kind, s.state AS service_state, n.category, n.source, n.state, n.high_risk, n.summary, \
     n.event_count, n.first_seen_at, n.last_seen_at, n.verification_note, n.notified_at, n.deadline_at, \
     n.deadline_reason, n.escalation_level, \
     (SELECT string_agg(a.address, ' ') FROM notice_ips a WHERE a.notice_id = n.id) AS ips \
     FROM notices n JOIN organisations o ON o.id = n.organisation_id JOIN services s ON s.id = n.service_id";

/// One notice, if it exists and (for a customer) belongs to `org_scope`.
pub async fn get(
    db: &Db,
    id: i64,
    org_scope: Option<OrgId>,
) -> Result<Option<NoticeRecord>, DbError> {
    let sql = format!("{NOTICE_SELECT} WHERE n.id = $1 AND ($2 = 0 OR n.organisation_id = $2)");
    let scope = org_scope.map(|o| o.0).unwrap_or(0);
    let row = on_db!(db, |pool| sqlx::query_as::<_, NoticeRow>(&sql)
        .bind(id)
        .bind(scope)
        .fetch_optional(pool)
        .await)?;
    row.map(NoticeRow::into_record).transpose()
}

/// The state of a notice inside a transaction, locked against concurrent changes.
pub async fn lock_state(tx: &mut Tx, id: i64) -> Result<Option<NoticeState>, DbError> {
    let sql = format!(
        "SELECT state FROM notices WHERE id = $1{}",
        tx.lock_clause()
    );
    let state: Option<String> = on_tx!(tx, |conn| sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await)?;
    state.map(|s| s.parse().map_err(corrupt)).transpose()
}

/// A case's verified event count, inside a transaction (the damages of its invoices).
pub async fn event_count_in_tx(tx: &mut Tx, id: i64) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT event_count FROM notices WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await)?)
}

/// Notices that await the customer and whose `hours` reminder is due at `now` (less than that
/// left, the deadline not passed, the reminder not sent), earliest deadline first.
pub async fn due_for_reminder(
    db: &Db,
    hours: i64,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    let column = reminder_column(hours)?;
    let sql = format!(
        "SELECT id FROM notices WHERE state IN ('open', 'acknowledged', 'evidence_rejected', 'upheld') \
         AND {column} IS NULL AND deadline_at <= $1 AND deadline_at > $2 ORDER BY deadline_at, id LIMIT $3"
    );
    Ok(on_db!(db, |pool| sqlx::query_scalar(&sql)
        .bind(stored_time(now + time::Duration::hours(hours)))
        .bind(stored_time(now))
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

fn reminder_column(hours: i64) -> Result<&'static str, DbError> {
    match hours {
        24 => Ok("reminded_24h_at"),
        4 => Ok("reminded_4h_at"),
        other => Err(DbError::Corrupt(format!(
            "no reminder {other} h before a deadline"
        ))),
    }
}

/// Records the `hours` reminder (and every longer one, now moot) of a notice as sent, if it
/// was not; `false` when another process sent it first. Gives the notice's organisation,
/// deadline and when it was told.
pub async fn mark_reminded(
    tx: &mut Tx,
    id: i64,
    hours: i64,
    now: OffsetDateTime,
) -> Result<Option<(OrgId, OffsetDateTime, OffsetDateTime)>, DbError> {
    let column = reminder_column(hours)?;
    let also = if hours < 24 {
        ", reminded_24h_at = COALESCE(reminded_24h_at, $2)"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE notices SET {column} = $2{also} WHERE id = $1 AND {column} IS NULL \
         RETURNING organisation_id, deadline_at, notified_at"
    );
    let row: Option<(i64, OffsetDateTime, OffsetDateTime)> =
        on_tx!(tx, |conn| sqlx::query_as(&sql)
            .bind(id)
            .bind(stored_time(now))
            .fetch_optional(&mut *conn)
            .await)?;
    Ok(row.map(|(org, deadline, notified)| (OrgId(org), deadline, notified)))
}

/// Forgets that reminders went out (the deadline moved: they are due again before the new one).
pub async fn clear_reminders(tx: &mut Tx, id: i64) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE notices SET reminded_24h_at = NULL, reminded_4h_at = NULL WHERE id = $1"
    )
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The organisation a notice is against, within a transaction.
pub async fn org_of_in_tx(tx: &mut Tx, id: i64) -> Result<OrgId, DbError> {
    let org: i64 = on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT organisation_id FROM notices WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await)?;
    Ok(OrgId(org))
}

/// A case's service, inside a transaction.
pub async fn service_of_in_tx(tx: &mut Tx, id: i64) -> Result<ServiceId, DbError> {
    let service: i64 = on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT service_id FROM notices WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await)?;
    Ok(ServiceId(service))
}

/// Sets a notice's state.
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    state: NoticeState,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE notices SET state = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(state.as_str())
    .bind(stored_time(now))
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets a notice's deadline and the reason for it.
pub async fn set_deadline(
    tx: &mut Tx,
    _staff: StaffToken,
    id: i64,
    deadline: OffsetDateTime,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE notices SET deadline_at = $1, deadline_reason = $2, updated_at = $3 WHERE id = $4"
    )
    .bind(stored_time(deadline))
    .bind(reason)
    .bind(stored_time(now))
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The order of a notice list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    /// Earliest deadline first (the most urgent; overdue cases come first).
    #[default]
    Deadline,
    /// Newest first.
    Newest,
}

/// Which notices a list shows. Every field narrows it; `org` is forced for customers.
#[derive(Debug, Clone, Default)]
pub struct NoticeFilter {
    /// Only this organisation's (always set for customers).
    pub org: Option<OrgId>,
    /// Only these states (empty: all).
    pub states: Vec<NoticeState>,
    /// Only this service.
    pub service: Option<ServiceId>,
    /// Only this category.
    pub category: Option<NoticeCategory>,
    /// Only services of this kind.
    pub service_kind: Option<ServiceKind>,
    /// Only high-risk notices.
    pub high_risk_only: bool,
    /// Order.
    pub order: ListOrder,
}

/// Where a page starts: after this row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCursor {
    /// The previous page's last deadline (for [`ListOrder::Deadline`]).
    pub deadline_at: OffsetDateTime,
    /// The previous page's last id.
    pub id: i64,
}

/// A value to bind, in order, to a statement assembled at run time.
enum Bind {
    I64(i64),
    Text(String),
    Time(OffsetDateTime),
}

/// One page of notices, newest or most urgent first, after `after`.
///
/// Several states without an organisation or service (the staff queue's "active" view) are
/// read as one short ordered run per state, merged: each run walks `notices_state_deadline`
/// and stops after `limit` rows, so a page costs the same at a thousand notices or a million,
/// whatever share of them is unfinished. A single `state IN (...)` would read every matching
/// notice and sort them.
pub async fn list(
    db: &Db,
    filter: &NoticeFilter,
    after: Option<&ListCursor>,
    limit: i64,
) -> Result<Vec<NoticeRecord>, DbError> {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let arg = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if let Some(org) = filter.org {
        clauses.push(format!(
            "n.organisation_id = {}",
            arg(Bind::I64(org.0), &mut binds)
        ));
    }
    if let Some(service) = filter.service {
        clauses.push(format!(
            "n.service_id = {}",
            arg(Bind::I64(service.0), &mut binds)
        ));
    }
    if let Some(category) = filter.category {
        clauses.push(format!(
            "n.category = {}",
            arg(Bind::Text(category.as_str().into()), &mut binds)
        ));
    }
    if let Some(kind) = filter.service_kind {
        clauses.push(format!(
            "s.kind = {}",
            arg(Bind::Text(kind.as_str().into()), &mut binds)
        ));
    }
    if filter.high_risk_only {
        clauses.push("n.high_risk = TRUE".into());
    }
    let order = match filter.order {
        ListOrder::Deadline => {
            if let Some(c) = after {
                let d = arg(Bind::Time(c.deadline_at), &mut binds);
                let i = arg(Bind::I64(c.id), &mut binds);
                clauses.push(format!("(n.deadline_at, n.id) > ({d}, {i})"));
            }
            "n.deadline_at, n.id"
        }
        ListOrder::Newest => {
            if let Some(c) = after {
                clauses.push(format!("n.id < {}", arg(Bind::I64(c.id), &mut binds)));
            }
            "n.id DESC"
        }
    };
    // The limit is written into the statement, not bound: PostgreSQL's generic plan for a
    // bound limit expects a tenth of the table and compiles itself (JIT) for 20 ms per call.
    let limit_arg = limit.max(0).to_string();
    let merge_runs = filter.states.len() > 1
        && filter.org.is_none()
        && filter.service.is_none()
        && filter.order == ListOrder::Deadline;
    let state_args: Vec<String> = filter
        .states
        .iter()
        .map(|s| arg(Bind::Text(s.as_str().into()), &mut binds))
        .collect();
    if merge_runs {
        let join = if filter.service_kind.is_some() {
            " JOIN services s ON s.id = n.service_id"
        } else {
            ""
        };
        let runs: Vec<String> = state_args
            .into_iter()
            .enumerate()
            .map(|(k, state)| {
                let mut run = vec![format!("n.state = {state}")];
                run.extend(clauses.iter().cloned());
                format!(
                    "SELECT id FROM (SELECT n.id FROM notices n{join} WHERE {} ORDER BY {order} LIMIT {limit_arg}) AS run{k}",
                    run.join(" AND ")
                )
            })
            .collect();
        clauses = vec![format!("n.id IN ({})", runs.join(" UNION ALL "))];
    } else if !state_args.is_empty() {
        clauses.push(format!("n.state IN ({})", state_args.join(", ")));
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let sql = format!("{NOTICE_SELECT}{where_sql} ORDER BY {order} LIMIT {limit_arg}");
    let rows = on_db!(db, |pool| {
        let mut q = sqlx::query_as::<_, NoticeRow>(&sql);
        for b in &binds {
            q = match b {
                Bind::I64(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.as_str()),
                Bind::Time(v) => q.bind(stored_time(*v)),
            };
        }
        q.fetch_all(pool).await
    })?;
    rows.into_iter().map(NoticeRow::into_record).collect()
}

/// How many notices are in each state that has any, across every organisation (staff only):
/// from the counts that triggers keep beside the notices (migration 0013), not a count of rows.
pub async fn state_counts(db: &Db, _staff: StaffToken) -> Result<Vec<(NoticeState, i64)>, DbError> {
    let sql = "SELECT state, notices FROM notice_state_counts WHERE notices > 0";
    let rows: Vec<(String, i64)> = on_db!(db, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
    let mut counts: Vec<(NoticeState, i64)> = Vec::new();
    for (state, n) in rows {
        counts.push((state.parse().map_err(corrupt)?, n));
    }
    counts.sort_by_key(|(s, _)| NoticeState::ALL.iter().position(|x| x == s));
    Ok(counts)
}

/// Every notice's id, in order (for checks across all cases).
pub async fn all_ids(db: &Db) -> Result<Vec<i64>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM notices ORDER BY id"
    )
    .fetch_all(pool)
    .await)?)
}

/// Notices whose deadline has passed while a customer response was due.
pub async fn due_for_overdue(
    db: &Db,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    let sql = "SELECT id FROM notices WHERE state IN ('open', 'acknowledged', 'evidence_rejected', 'upheld') \
               AND deadline_at <= $1 ORDER BY deadline_at, id LIMIT $2";
    Ok(on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(stored_time(now))
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// How many notices exist.
pub async fn count(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM notices"
    )
    .fetch_one(pool)
    .await)?)
}

/// Moves a notice's notification and deadline into the past (demo data only: a case that is
/// already late when the demo starts).
pub async fn backdate_for_demo(db: &Db, id: i64, by: time::Duration) -> Result<(), DbError> {
    let sql =
        "SELECT notified_at, deadline_at, first_seen_at, last_seen_at FROM notices WHERE id = $1";
    let (notified, deadline, first, last): (
        OffsetDateTime,
        OffsetDateTime,
        OffsetDateTime,
        OffsetDateTime,
    ) = on_db!(db, |pool| sqlx::query_as(sql)
        .bind(id)
        .fetch_one(pool)
        .await)?;
    let update = "UPDATE notices SET notified_at = $1, deadline_at = $2, first_seen_at = $3, last_seen_at = $4 WHERE id = $5";
    on_db!(db, |pool| sqlx::query(update)
        .bind(stored_time(notified - by))
        .bind(stored_time(deadline - by))
        .bind(stored_time(first - by))
        .bind(stored_time(last - by))
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}
