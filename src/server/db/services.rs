//! Services (rented servers) and their IP addresses.

use super::{on_db, stored_time, Db, DbError};
use crate::domain::actor::StaffToken;
use crate::domain::ids::{OrgId, ServiceId};
use crate::domain::service::{ServiceKind, ServiceState};
use time::OffsetDateTime;

/// A service with its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    /// Id.
    pub id: ServiceId,
    /// The owning organisation.
    pub org_id: OrgId,
    /// The customer's name for it (host name).
    pub label: String,
    /// Kind.
    pub kind: ServiceKind,
    /// State.
    pub state: ServiceState,
    /// Assigned IP addresses, sorted.
    pub ips: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct ServiceIpRow {
    id: i64,
    organisation_id: i64,
    label: String,
    kind: String,
    state: String,
    address: Option<String>,
}

fn corrupt(e: crate::domain::service::UnknownName) -> DbError {
    DbError::Corrupt(e.to_string())
}

/// An organisation's services, first `limit` in label order, each with its addresses.
pub async fn list_for_org(db: &Db, org: OrgId, limit: i64) -> Result<Vec<ServiceRecord>, DbError> {
    let sql = "SELECT s.id, s.organisation_id, s.label, s.kind, s.state, ip.address \
               FROM (SELECT * FROM services WHERE organisation_id = $1 ORDER BY label, id LIMIT $2) s \
               LEFT JOIN service_ips ip ON ip.service_id = s.id \
               ORDER BY s.label, s.id, ip.address";
    let rows = on_db!(db, |pool| sqlx::query_as::<_, ServiceIpRow>(sql)
        .bind(org.0)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    group(rows)
}

/// An organisation's services as (id, label), in label order: what a filter list needs, without
/// the addresses.
pub async fn labels_for_org(
    db: &Db,
    org: OrgId,
    limit: i64,
) -> Result<Vec<(i64, String)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, label FROM services WHERE organisation_id = $1 ORDER BY label, id LIMIT $2"
    )
    .bind(org.0)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// Folds rows of (service, address), ordered by service, into services with their addresses.
fn group(rows: Vec<ServiceIpRow>) -> Result<Vec<ServiceRecord>, DbError> {
    let mut out: Vec<ServiceRecord> = Vec::new();
    for row in rows {
        if out.last().map(|s| s.id.0) != Some(row.id) {
            out.push(ServiceRecord {
                id: ServiceId(row.id),
                org_id: OrgId(row.organisation_id),
                label: row.label,
                kind: row.kind.parse().map_err(corrupt)?,
                state: row.state.parse().map_err(corrupt)?,
                ips: Vec::new(),
            });
        }
        if let (Some(address), Some(service)) = (row.address, out.last_mut()) {
            service.ips.push(address);
        }
    }
    Ok(out)
}

/// How many services an organisation rents.
pub async fn count_for_org(db: &Db, org: OrgId) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM services WHERE organisation_id = $1"
    )
    .bind(org.0)
    .fetch_one(pool)
    .await)?)
}

/// Creates the service `label` of an organisation, or returns the existing one's id unchanged.
pub async fn ensure_service(
    db: &Db,
    org: OrgId,
    label: &str,
    kind: ServiceKind,
    state: ServiceState,
    now: OffsetDateTime,
) -> Result<ServiceId, DbError> {
    let sql = "INSERT INTO services (organisation_id, label, kind, state, created_at) VALUES ($1, $2, $3, $4, $5) \
               ON CONFLICT (organisation_id, label) DO UPDATE SET label = excluded.label RETURNING id";
    let id: i64 = on_db!(db, |pool| sqlx::query_scalar(sql)
        .bind(org.0)
        .bind(label)
        .bind(kind.as_str())
        .bind(state.as_str())
        .bind(stored_time(now))
        .fetch_one(pool)
        .await)?;
    Ok(ServiceId(id))
}

/// Assigns an address to a service from now on, recorded in the address history as done by
/// the portal (demo data, tests); `DbError::Duplicate` if another service holds it.
pub async fn assign_ip(
    db: &Db,
    service: ServiceId,
    address: &str,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let block = crate::domain::inventory::IpBlock::parse(address)
        .map_err(|e| DbError::Corrupt(format!("{address}: {e}")))?;
    let existing: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT service_id FROM service_ips WHERE address = $1"
    )
    .bind(block.to_string())
    .fetch_optional(pool)
    .await)?;
    match existing {
        Some(owner) if owner == service.0 => Ok(()),
        Some(_) => Err(DbError::Duplicate),
        None => {
            let org: i64 = on_db!(db, |pool| sqlx::query_scalar(
                "SELECT organisation_id FROM services WHERE id = $1"
            )
            .bind(service.0)
            .fetch_one(pool)
            .await)?;
            let mut tx = db.begin_write().await?;
            super::inventory::open_assignment(
                &mut tx,
                &super::inventory::NewAssignment {
                    block: &block,
                    service,
                    org: OrgId(org),
                    at: now,
                    by: None,
                    reason: "Assigned by the portal.",
                },
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
    }
}

/// One service with its addresses.
pub async fn get(db: &Db, id: ServiceId) -> Result<Option<ServiceRecord>, DbError> {
    let sql = "SELECT s.id, s.organisation_id, s.label, s.kind, s.state, ip.address FROM services s \
               LEFT JOIN service_ips ip ON ip.service_id = s.id WHERE s.id = $1 ORDER BY ip.address";
    let rows = on_db!(db, |pool| sqlx::query_as::<_, ServiceIpRow>(sql)
        .bind(id.0)
        .fetch_all(pool)
        .await)?;
    Ok(group(rows)?.into_iter().next())
}

/// Every service with its organisation's name, for the staff's "open a notice" form.
pub async fn list_all_labelled(
    db: &Db,
    _staff: StaffToken,
    limit: i64,
) -> Result<Vec<(i64, String, String, String)>, DbError> {
    let sql = "SELECT s.id, o.name, s.label, s.kind FROM services s JOIN organisations o ON o.id = s.organisation_id \
               ORDER BY o.name, s.label LIMIT $1";
    Ok(on_db!(db, |pool| sqlx::query_as(sql)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// One page of an organisation's services in label order, after the keyset `(label, id)`.
pub async fn page_for_org(
    db: &Db,
    org: OrgId,
    after: Option<(&str, i64)>,
    limit: i64,
) -> Result<Vec<ServiceRecord>, DbError> {
    let (label, id) = after.unwrap_or(("", 0));
    let sql = "SELECT s.id, s.organisation_id, s.label, s.kind, s.state, ip.address \
               FROM (SELECT * FROM services WHERE organisation_id = $1 AND (label, id) > ($2, $3) \
                     ORDER BY label, id LIMIT $4) s \
               LEFT JOIN service_ips ip ON ip.service_id = s.id ORDER BY s.label, s.id, ip.address";
    let rows = on_db!(db, |pool| sqlx::query_as::<_, ServiceIpRow>(sql)
        .bind(org.0)
        .bind(label)
        .bind(id)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    group(rows)
}
