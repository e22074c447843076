//! Enforcement actions on services, IP addresses and ports, with who started and ended them.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::actor::StaffToken;
use crate::domain::enforcement::{EnforcementKind, Measure, Scope};
use crate::domain::ids::{ServiceId, UserId};
use crate::domain::service::ServiceState;
use time::OffsetDateTime;

/// A measure to record.
#[derive(Debug, Clone)]
pub struct NewAction {
    /// The service.
    pub service: ServiceId,
    /// The case it belongs to.
    pub notice_id: Option<i64>,
    /// Kind, scope and time span.
    pub measure: Measure,
    /// Why.
    pub reason: String,
    /// Whether the upstream provider was asked to apply it.
    pub upstream_requested: bool,
    /// Who started it; `None` when the portal did (a default restriction, an automatic block).
    pub started_by: Option<UserId>,
    /// The port-25 request whose revocation started it.
    pub smtp_request_id: Option<i64>,
}

/// A recorded measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    /// Id.
    pub id: i64,
    /// The service.
    pub service_id: i64,
    /// The case.
    pub notice_id: Option<i64>,
    /// Kind, scope, span.
    pub measure: Measure,
    /// Why.
    pub reason: String,
    /// Upstream asked.
    pub upstream_requested: bool,
    /// Who started it.
    pub started_by_email: String,
    /// Who ended it.
    pub ended_by_email: Option<String>,
    /// Why it ended.
    pub end_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ActionRow {
    id: i64,
    service_id: i64,
    notice_id: Option<i64>,
    kind: String,
    scope_ip: Option<String>,
    scope_port: Option<i32>,
    reason: String,
    upstream_requested: bool,
    starts_at: OffsetDateTime,
    ends_at: Option<OffsetDateTime>,
    started_by_email: String,
    ended_by_email: Option<String>,
    end_reason: Option<String>,
}

impl ActionRow {
    fn into_record(self) -> Result<ActionRecord, DbError> {
        let scope = match (self.scope_port, self.scope_ip) {
            (Some(port), ip) => Scope::Port {
                port: port as u16,
                ip,
            },
            (None, Some(ip)) => Scope::Ip(ip),
            (None, None) => Scope::Service,
        };
        Ok(ActionRecord {
            id: self.id,
            service_id: self.service_id,
            notice_id: self.notice_id,
            measure: Measure {
                kind: self
                    .kind
                    .parse()
                    .map_err(|e: crate::domain::names::UnknownName| {
                        DbError::Corrupt(e.to_string())
                    })?,
                scope,
                starts_at: self.starts_at,
                ends_at: self.ends_at,
            },
            reason: self.reason,
            upstream_requested: self.upstream_requested,
            started_by_email: self.started_by_email,
            ended_by_email: self.ended_by_email,
            end_reason: self.end_reason,
        })
    }
}

/// Records a measure that staff start; returns its id.
pub async fn insert(tx: &mut Tx, _staff: StaffToken, a: &NewAction) -> Result<i64, DbError> {
    insert_action(tx, a).await
}

/// Records a measure that the portal starts by itself, by rule: the default port-25
/// restriction of a new service, the automatic port-25 block when a spam or phishing case
/// opens on an address allowed to send. Returns its id.
pub async fn insert_by_portal(tx: &mut Tx, a: &NewAction) -> Result<i64, DbError> {
    insert_action(tx, a).await
}

async fn insert_action(tx: &mut Tx, a: &NewAction) -> Result<i64, DbError> {
    let (ip, port) = match &a.measure.scope {
        Scope::Service => (None, None),
        Scope::Ip(ip) => (Some(ip.clone()), None),
        Scope::Port { port, ip } => (ip.clone(), Some(i32::from(*port))),
    };
    let sql = "INSERT INTO enforcement_actions (service_id, notice_id, kind, scope_ip, scope_port, reason, \
               upstream_requested, started_by, starts_at, ends_at, smtp_request_id) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(a.service.0)
        .bind(a.notice_id)
        .bind(a.measure.kind.as_str())
        .bind(ip)
        .bind(port)
        .bind(&a.reason)
        .bind(a.upstream_requested)
        .bind(a.started_by.map(|u| u.0))
        .bind(stored_time(a.measure.starts_at))
        .bind(a.measure.ends_at.map(stored_time))
        .bind(a.smtp_request_id)
        .fetch_one(&mut *conn)
        .await)?)
}

/// Ends a measure now (if it has not ended); `false` if it had.
pub async fn end(
    tx: &mut Tx,
    _staff: StaffToken,
    id: i64,
    by: UserId,
    at: OffsetDateTime,
    reason: &str,
) -> Result<bool, DbError> {
    let sql = "UPDATE enforcement_actions SET ends_at = $1, ended_by = $2, end_reason = $3 \
               WHERE id = $4 AND (ends_at IS NULL OR ends_at > $1)";
    let n = on_tx!(tx, |conn| sqlx::query(sql)
        .bind(stored_time(at))
        .bind(by.0)
        .bind(reason)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Ends a measure by the portal's own rule (a case's reactivation conditions all met), with
/// the reason in words; `false` if it had already ended.
pub async fn end_by_portal(
    tx: &mut Tx,
    id: i64,
    at: OffsetDateTime,
    reason: &str,
) -> Result<bool, DbError> {
    let sql = "UPDATE enforcement_actions SET ends_at = $1, ended_by = NULL, end_reason = $2 \
               WHERE id = $3 AND (ends_at IS NULL OR ends_at > $1)";
    let n = on_tx!(tx, |conn| sqlx::query(sql)
        .bind(stored_time(at))
        .bind(reason)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Ends a measure because a port-25 request was approved in writing, naming the request;
/// `false` if it had already ended.
pub async fn end_for_request(
    tx: &mut Tx,
    staff: StaffToken,
    id: i64,
    by: UserId,
    at: OffsetDateTime,
    reason: &str,
    request_id: i64,
) -> Result<bool, DbError> {
    if !end(tx, staff, id, by, at, reason).await? {
        return Ok(false);
    }
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE enforcement_actions SET smtp_request_id = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(request_id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(true)
}

const SELECT: &str = "SELECT a.id, a.service_id, a.notice_id, a.kind, a.scope_ip, a.scope_port, a.reason, \
     a.upstream_requested, a.starts_at, a.ends_at, COALESCE(s.email, 'the portal (automatic)') AS started_by_email, e.email AS ended_by_email, a.end_reason \
     FROM enforcement_actions a LEFT JOIN users s ON s.id = a.started_by LEFT JOIN users e ON e.id = a.ended_by";

/// A service's measures, newest first.
pub async fn for_service(db: &Db, service: ServiceId) -> Result<Vec<ActionRecord>, DbError> {
    let sql = format!("{SELECT} WHERE a.service_id = $1 ORDER BY a.starts_at DESC, a.id DESC");
    let rows = on_db!(db, |pool| sqlx::query_as::<_, ActionRow>(&sql)
        .bind(service.0)
        .fetch_all(pool)
        .await)?;
    rows.into_iter().map(ActionRow::into_record).collect()
}

/// One measure.
pub async fn get(db: &Db, _staff: StaffToken, id: i64) -> Result<Option<ActionRecord>, DbError> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    let row = on_db!(db, |pool| sqlx::query_as::<_, ActionRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    row.map(ActionRow::into_record).transpose()
}

/// Sets a service's state.
pub async fn set_service_state(
    tx: &mut Tx,
    service: ServiceId,
    state: ServiceState,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE services SET state = $1 WHERE id = $2"
    )
    .bind(state.as_str())
    .bind(service.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A service's state and measures, read inside a transaction (to recompute the state).
pub async fn measures_in_tx(
    tx: &mut Tx,
    service: ServiceId,
) -> Result<(ServiceState, Vec<Measure>), DbError> {
    let state_sql = format!(
        "SELECT state FROM services WHERE id = $1{}",
        tx.lock_clause()
    );
    let state: String = on_tx!(tx, |conn| sqlx::query_scalar(&state_sql)
        .bind(service.0)
        .fetch_one(&mut *conn)
        .await)?;
    let sql = format!("{SELECT} WHERE a.service_id = $1");
    let rows = on_tx!(tx, |conn| sqlx::query_as::<_, ActionRow>(&sql)
        .bind(service.0)
        .fetch_all(&mut *conn)
        .await)?;
    let measures = rows
        .into_iter()
        .map(|r| r.into_record().map(|a| a.measure))
        .collect::<Result<Vec<_>, _>>()?;
    let state = state
        .parse()
        .map_err(|e: crate::domain::names::UnknownName| DbError::Corrupt(e.to_string()))?;
    Ok((state, measures))
}

/// A service's measures with their ids, read inside a transaction.
pub async fn records_in_tx(tx: &mut Tx, service: ServiceId) -> Result<Vec<ActionRecord>, DbError> {
    let sql = format!("{SELECT} WHERE a.service_id = $1 ORDER BY a.id");
    let rows = on_tx!(tx, |conn| sqlx::query_as::<_, ActionRow>(&sql)
        .bind(service.0)
        .fetch_all(&mut *conn)
        .await)?;
    rows.into_iter().map(ActionRow::into_record).collect()
}

/// The measures in force on a service at `now`.
pub fn in_force(actions: &[ActionRecord], now: OffsetDateTime) -> Vec<ActionRecord> {
    actions
        .iter()
        .filter(|a| a.measure.in_force(now))
        .cloned()
        .collect()
}

/// The suspensions from case `notice_id` in force at `now`.
pub fn suspensions_of(
    actions: &[ActionRecord],
    notice_id: i64,
    now: OffsetDateTime,
) -> Vec<&ActionRecord> {
    actions
        .iter()
        .filter(|a| {
            a.notice_id == Some(notice_id)
                && a.measure.kind == EnforcementKind::Suspension
                && a.measure.in_force(now)
        })
        .collect()
}

/// The cases whose suspensions are in force at `now`, in id order, each once.
pub fn suspending_cases(actions: &[ActionRecord], now: OffsetDateTime) -> Vec<i64> {
    let mut cases: Vec<i64> = actions
        .iter()
        .filter(|a| a.measure.kind == EnforcementKind::Suspension && a.measure.in_force(now))
        .filter_map(|a| a.notice_id)
        .collect();
    cases.sort_unstable();
    cases.dedup();
    cases
}

/// The kinds of measure in force on a service (for lists).
pub fn kinds_in_force(actions: &[ActionRecord], now: OffsetDateTime) -> Vec<EnforcementKind> {
    in_force(actions, now)
        .into_iter()
        .map(|a| a.measure.kind)
        .collect()
}

/// Measures in force at `now` on any service of an organisation.
pub async fn in_force_for_org(
    db: &Db,
    org: crate::domain::ids::OrgId,
    now: OffsetDateTime,
) -> Result<Vec<ActionRecord>, DbError> {
    let sql = format!(
        "{SELECT} JOIN services sv ON sv.id = a.service_id WHERE sv.organisation_id = $1 \
         AND a.starts_at <= $2 AND (a.ends_at IS NULL OR a.ends_at > $2) ORDER BY a.service_id, a.starts_at"
    );
    let rows = on_db!(db, |pool| sqlx::query_as::<_, ActionRow>(&sql)
        .bind(org.0)
        .bind(stored_time(now))
        .fetch_all(pool)
        .await)?;
    rows.into_iter().map(ActionRow::into_record).collect()
}
