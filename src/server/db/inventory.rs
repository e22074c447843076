//! The inventory as staff manage it: organisations with their contacts, services, and the
//! history of address assignments (migration 0006). `service_ips` keeps the open assignments
//! for the pages that show a service as it is now; both change in one transaction.

use super::{on_db, on_tx, stored_time, Db, DbError, Tx};
use crate::domain::actor::AdminToken;
use crate::domain::ids::{OrgId, ServiceId, UserId};
use crate::domain::inventory::{Contacts, IpBlock};
use crate::domain::notification::{KindSet, MailRoutes};
use crate::domain::service::ServiceKind;
use crate::domain::zone::Zone;
use time::OffsetDateTime;

/// An organisation as the admin pages show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrgRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Abuse contact.
    pub abuse_email: Option<String>,
    /// Billing contact.
    pub billing_email: Option<String>,
    /// Technical contact.
    pub technical_email: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// When it became a customer.
    pub created_at: OffsetDateTime,
    /// When it was retired.
    pub retired_at: Option<OffsetDateTime>,
    /// The zone of the mails to its contacts (IANA name).
    pub time_zone: String,
    /// The kinds of news mailed to the abuse contact (stored spelling).
    pub abuse_mail_kinds: String,
    /// … to the technical contact.
    pub technical_mail_kinds: String,
    /// … to the billing contact.
    pub billing_mail_kinds: String,
}

impl OrgRow {
    /// Its contacts.
    pub fn contacts(&self) -> Contacts {
        Contacts {
            abuse_email: self.abuse_email.clone(),
            billing_email: self.billing_email.clone(),
            technical_email: self.technical_email.clone(),
            phone: self.phone.clone(),
        }
    }

    /// Which kinds of news go to which contact.
    pub fn mail_routes(&self) -> Result<MailRoutes, DbError> {
        let set = |stored: &str| {
            KindSet::parse(stored)
                .map_err(|e| DbError::Corrupt(format!("organisation {}: {e}", self.id)))
        };
        Ok(MailRoutes::new(
            set(&self.abuse_mail_kinds)?,
            set(&self.technical_mail_kinds)?,
            set(&self.billing_mail_kinds)?,
        ))
    }

    /// The zone of the mails to its contacts.
    pub fn zone(&self) -> Zone {
        Zone::stored(&self.time_zone)
    }
}

const ORG_SELECT: &str =
    "SELECT id, name, abuse_email, billing_email, technical_email, phone, created_at, retired_at, \
     time_zone, abuse_mail_kinds, technical_mail_kinds, billing_mail_kinds FROM organisations";

/// One organisation.
pub async fn org(db: &Db, id: OrgId) -> Result<Option<OrgRow>, DbError> {
    let sql = format!("{ORG_SELECT} WHERE id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, OrgRow>(&sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await)?)
}

/// The organisation of this name.
pub async fn org_by_name(db: &Db, name: &str) -> Result<Option<OrgRow>, DbError> {
    let sql = format!("{ORG_SELECT} WHERE name = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, OrgRow>(&sql)
        .bind(name)
        .fetch_optional(pool)
        .await)?)
}

/// Organisations in id order after `after`, at most `limit`.
pub async fn orgs_page(db: &Db, after: i64, limit: i64) -> Result<Vec<OrgRow>, DbError> {
    let sql = format!("{ORG_SELECT} WHERE id > $1 ORDER BY id LIMIT $2");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, OrgRow>(&sql)
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// One organisation, locked for the transaction.
pub async fn org_in_tx(tx: &mut Tx, id: OrgId) -> Result<Option<OrgRow>, DbError> {
    let sql = format!("{ORG_SELECT} WHERE id = $1{}", tx.lock_clause());
    Ok(on_tx!(tx, |conn| sqlx::query_as::<_, OrgRow>(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await)?)
}

/// Creates an organisation; `Duplicate` when the name is taken.
pub async fn insert_org(
    tx: &mut Tx,
    _admin: AdminToken,
    name: &str,
    contacts: &Contacts,
    now: OffsetDateTime,
) -> Result<OrgId, DbError> {
    let id: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO organisations (name, abuse_email, billing_email, technical_email, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(name)
    .bind(&contacts.abuse_email)
    .bind(&contacts.billing_email)
    .bind(&contacts.technical_email)
    .bind(&contacts.phone)
    .bind(stored_time(now))
    .fetch_one(&mut *conn)
    .await
    })?;
    Ok(OrgId(id))
}

/// Sets an organisation's contacts, the zone of the mails to them and which kinds of news each
/// receives (its owner's choice; the caller checked that).
pub async fn set_contacts_and_mail(
    tx: &mut Tx,
    id: OrgId,
    contacts: &Contacts,
    routes: &MailRoutes,
    zone: &Zone,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE organisations SET abuse_email = $2, billing_email = $3, technical_email = $4, \
             phone = $5, time_zone = $6, abuse_mail_kinds = $7, technical_mail_kinds = $8, \
             billing_mail_kinds = $9 WHERE id = $1",
        )
        .bind(id.0)
        .bind(&contacts.abuse_email)
        .bind(&contacts.billing_email)
        .bind(&contacts.technical_email)
        .bind(&contacts.phone)
        .bind(zone.name())
        .bind(routes.abuse.stored())
        .bind(routes.technical.stored())
        .bind(routes.billing.stored())
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Renames an organisation and sets its contacts; `Duplicate` when the name is taken.
pub async fn update_org(
    tx: &mut Tx,
    _admin: AdminToken,
    id: OrgId,
    name: &str,
    contacts: &Contacts,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE organisations SET name = $1, abuse_email = $2, billing_email = $3, technical_email = $4, \
         phone = $5 WHERE id = $6"
    )
    .bind(name)
    .bind(&contacts.abuse_email)
    .bind(&contacts.billing_email)
    .bind(&contacts.technical_email)
    .bind(&contacts.phone)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// The organisation of this name, locked for the transaction.
pub async fn org_by_name_in_tx(tx: &mut Tx, name: &str) -> Result<Option<OrgRow>, DbError> {
    let sql = format!("{ORG_SELECT} WHERE name = $1{}", tx.lock_clause());
    Ok(on_tx!(tx, |conn| sqlx::query_as::<_, OrgRow>(&sql)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await)?)
}

/// Sets an organisation's abuse contact.
pub async fn set_abuse_email(
    tx: &mut Tx,
    _admin: AdminToken,
    id: OrgId,
    email: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE organisations SET abuse_email = $1 WHERE id = $2"
    )
    .bind(email)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Marks an organisation retired.
pub async fn retire_org(
    tx: &mut Tx,
    _admin: AdminToken,
    id: OrgId,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE organisations SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL"
    )
    .bind(stored_time(now))
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A service as the admin pages show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ServiceRow {
    /// Id.
    pub id: i64,
    /// Its organisation.
    pub organisation_id: i64,
    /// The organisation's name.
    pub organisation_name: String,
    /// Label.
    pub label: String,
    /// Stored kind.
    pub kind: String,
    /// Stored state.
    pub state: String,
    /// Since when.
    pub created_at: OffsetDateTime,
    /// When it was retired.
    pub retired_at: Option<OffsetDateTime>,
}

const SERVICE_SELECT: &str =
    "SELECT s.id, s.organisation_id, o.name AS organisation_name, s.label, s.kind, s.state, \
     s.created_at, s.retired_at FROM services s JOIN organisations o ON o.id = s.organisation_id";

/// One service.
pub async fn service(db: &Db, id: ServiceId) -> Result<Option<ServiceRow>, DbError> {
    let sql = format!("{SERVICE_SELECT} WHERE s.id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, ServiceRow>(&sql)
        .bind(id.0)
        .fetch_optional(pool)
        .await)?)
}

/// One service, locked for the transaction.
pub async fn service_in_tx(tx: &mut Tx, id: ServiceId) -> Result<Option<ServiceRow>, DbError> {
    let lock = format!("SELECT id FROM services WHERE id = $1{}", tx.lock_clause());
    let found: Option<i64> = on_tx!(tx, |conn| sqlx::query_scalar(&lock)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await)?;
    if found.is_none() {
        return Ok(None);
    }
    let sql = format!("{SERVICE_SELECT} WHERE s.id = $1");
    Ok(on_tx!(tx, |conn| sqlx::query_as::<_, ServiceRow>(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await)?)
}

/// An organisation's service of this label, inside a transaction.
pub async fn service_by_label_in_tx(
    tx: &mut Tx,
    org: OrgId,
    label: &str,
) -> Result<Option<ServiceRow>, DbError> {
    let sql = format!("{SERVICE_SELECT} WHERE s.organisation_id = $1 AND s.label = $2");
    Ok(on_tx!(tx, |conn| sqlx::query_as::<_, ServiceRow>(&sql)
        .bind(org.0)
        .bind(label)
        .fetch_optional(&mut *conn)
        .await)?)
}

/// Services in id order after `after` (one organisation's, or all), at most `limit`, each with
/// the addresses it holds.
pub async fn services_page(
    db: &Db,
    org: Option<OrgId>,
    after: i64,
    limit: i64,
) -> Result<Vec<(ServiceRow, Vec<String>)>, DbError> {
    let sql = match org {
        Some(_) => format!(
            "{SERVICE_SELECT} WHERE s.organisation_id = $3 AND s.id > $1 ORDER BY s.id LIMIT $2"
        ),
        None => format!("{SERVICE_SELECT} WHERE s.id > $1 AND $3 IS NULL ORDER BY s.id LIMIT $2"),
    };
    let rows = on_db!(db, |pool| sqlx::query_as::<_, ServiceRow>(&sql)
        .bind(after)
        .bind(limit)
        .bind(org.map(|o| o.0))
        .fetch_all(pool)
        .await)?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(Vec::new());
    };
    let addresses: Vec<(i64, String)> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT service_id, address FROM service_ips WHERE service_id BETWEEN $1 AND $2 ORDER BY service_id, address"
    )
    .bind(first.id)
    .bind(last.id)
    .fetch_all(pool)
    .await
    })?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let held = addresses
                .iter()
                .filter(|(service, _)| *service == s.id)
                .map(|(_, a)| a.clone())
                .collect();
            (s, held)
        })
        .collect())
}

/// An organisation's services, retired ones last.
pub async fn services_of(db: &Db, org: OrgId) -> Result<Vec<ServiceRow>, DbError> {
    let sql = format!(
        "{SERVICE_SELECT} WHERE s.organisation_id = $1 ORDER BY s.retired_at IS NOT NULL, s.label, s.id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, ServiceRow>(&sql)
        .bind(org.0)
        .fetch_all(pool)
        .await)?)
}

/// Creates a service; `Duplicate` when the organisation has one of that label.
pub async fn insert_service(
    tx: &mut Tx,
    _admin: AdminToken,
    org: OrgId,
    label: &str,
    kind: ServiceKind,
    now: OffsetDateTime,
) -> Result<ServiceId, DbError> {
    let id: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO services (organisation_id, label, kind, state, created_at) VALUES ($1, $2, $3, 'active', $4) RETURNING id"
    )
    .bind(org.0)
    .bind(label)
    .bind(kind.as_str())
    .bind(stored_time(now))
    .fetch_one(&mut *conn)
    .await
    })?;
    Ok(ServiceId(id))
}

/// Sets a service's label, kind and organisation; `Duplicate` when the label is taken there.
pub async fn update_service(
    tx: &mut Tx,
    _admin: AdminToken,
    id: ServiceId,
    org: OrgId,
    label: &str,
    kind: ServiceKind,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE services SET organisation_id = $1, label = $2, kind = $3 WHERE id = $4"
    )
    .bind(org.0)
    .bind(label)
    .bind(kind.as_str())
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Marks a service retired.
pub async fn retire_service(
    tx: &mut Tx,
    _admin: AdminToken,
    id: ServiceId,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE services SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL"
    )
    .bind(stored_time(now))
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// An address assignment, with the names of its holder.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssignmentRow {
    /// Id.
    pub id: i64,
    /// The block, canonical (`203.0.113.7`, `2001:db8:ac::/64`).
    pub block: String,
    /// The service.
    pub service_id: i64,
    /// Its label.
    pub service_label: String,
    /// The organisation.
    pub organisation_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// From.
    pub assigned_at: OffsetDateTime,
    /// Who assigned it (e-mail), when a person did.
    pub assigned_by_email: Option<String>,
    /// Why.
    pub reason: String,
    /// Until (open when `None`).
    pub released_at: Option<OffsetDateTime>,
    /// Who released it.
    pub released_by_email: Option<String>,
    /// Why it was released.
    pub release_reason: Option<String>,
}

const ASSIGNMENT_SELECT: &str = "SELECT a.id, a.block, a.service_id, s.label AS service_label, a.organisation_id, \
     o.name AS organisation_name, a.assigned_at, ab.email AS assigned_by_email, a.reason, a.released_at, \
     rb.email AS released_by_email, a.release_reason \
     FROM address_assignments a JOIN services s ON s.id = a.service_id \
     JOIN organisations o ON o.id = a.organisation_id \
     LEFT JOIN users ab ON ab.id = a.assigned_by LEFT JOIN users rb ON rb.id = a.released_by";

/// An assignment to open.
#[derive(Debug, Clone)]
pub struct NewAssignment<'a> {
    /// The block.
    pub block: &'a IpBlock,
    /// To which service.
    pub service: ServiceId,
    /// Of which organisation.
    pub org: OrgId,
    /// From when.
    pub at: OffsetDateTime,
    /// Who (a person), or the portal.
    pub by: Option<UserId>,
    /// Why.
    pub reason: &'a str,
}

/// Opens an assignment and lists the block on its service. The database refuses one that
/// overlaps another in addresses and time (the error reads "address assignments overlap").
pub async fn open_assignment(tx: &mut Tx, a: &NewAssignment<'_>) -> Result<i64, DbError> {
    let (start, end) = a.block.range_keys();
    let block = a.block.to_string();
    let id: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar(
        "INSERT INTO address_assignments (block, range_start, range_end, service_id, organisation_id, \
         assigned_at, assigned_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(&block)
    .bind(&start)
    .bind(&end)
    .bind(a.service.0)
    .bind(a.org.0)
    .bind(stored_time(a.at))
    .bind(a.by.map(|u| u.0))
    .bind(a.reason)
    .fetch_one(&mut *conn)
    .await
    })?;
    on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO service_ips (service_id, address) VALUES ($1, $2)"
    )
    .bind(a.service.0)
    .bind(&block)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(id)
}

/// Releases the open assignment of `block` and takes it off its service; the released
/// assignment, or `None` when the block was not assigned.
pub async fn release_assignment(
    tx: &mut Tx,
    block: &IpBlock,
    at: OffsetDateTime,
    by: Option<UserId>,
    reason: &str,
) -> Result<Option<AssignmentRow>, DbError> {
    let block = block.to_string();
    let open = format!("{ASSIGNMENT_SELECT} WHERE a.block = $1 AND a.released_at IS NULL");
    let Some(row) = on_tx!(tx, |conn| sqlx::query_as::<_, AssignmentRow>(&open)
        .bind(&block)
        .fetch_optional(&mut *conn)
        .await)?
    else {
        return Ok(None);
    };
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE address_assignments SET released_at = $1, released_by = $2, release_reason = $3 WHERE id = $4"
    )
    .bind(stored_time(at))
    .bind(by.map(|u| u.0))
    .bind(reason)
    .bind(row.id)
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })?;
    on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM service_ips WHERE address = $1"
    )
    .bind(&block)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(Some(row))
}

/// The open assignments of a service, in block order.
pub async fn open_of_service_in_tx(
    tx: &mut Tx,
    service: ServiceId,
) -> Result<Vec<AssignmentRow>, DbError> {
    let sql = format!(
        "{ASSIGNMENT_SELECT} WHERE a.service_id = $1 AND a.released_at IS NULL ORDER BY a.block"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as::<_, AssignmentRow>(&sql)
        .bind(service.0)
        .fetch_all(&mut *conn)
        .await)?)
}

/// Every assignment a service ever had, newest first.
pub async fn history_of_service(
    db: &Db,
    service: ServiceId,
) -> Result<Vec<AssignmentRow>, DbError> {
    let sql = format!(
        "{ASSIGNMENT_SELECT} WHERE a.service_id = $1 ORDER BY a.assigned_at DESC, a.id DESC"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, AssignmentRow>(&sql)
        .bind(service.0)
        .fetch_all(pool)
        .await)?)
}

/// The open assignments that share an address with the range `start..=end`.
pub async fn open_overlapping(
    tx: &mut Tx,
    start: &str,
    end: &str,
) -> Result<Vec<AssignmentRow>, DbError> {
    let sql = format!(
        "{ASSIGNMENT_SELECT} WHERE a.range_start <= $2 AND a.range_end >= $1 AND a.released_at IS NULL ORDER BY a.block"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as::<_, AssignmentRow>(&sql)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *conn)
        .await)?)
}

/// Who held the address with storage key `key` at `at`: the assignment whose block covered it
/// then, if any.
pub async fn holder_at(
    db: &Db,
    key: &str,
    at: OffsetDateTime,
) -> Result<Option<AssignmentRow>, DbError> {
    let sql = format!(
        "{ASSIGNMENT_SELECT} WHERE a.range_start <= $1 AND a.range_end >= $1 AND a.assigned_at <= $2 \
         AND (a.released_at IS NULL OR a.released_at > $2)"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, AssignmentRow>(&sql)
        .bind(key)
        .bind(stored_time(at))
        .fetch_optional(pool)
        .await)?)
}

/// [`holder_at`] within a transaction (report intake matches events while it writes them).
pub async fn holder_at_in_tx(
    tx: &mut Tx,
    key: &str,
    at: OffsetDateTime,
) -> Result<Option<AssignmentRow>, DbError> {
    let sql = format!(
        "{ASSIGNMENT_SELECT} WHERE a.range_start <= $1 AND a.range_end >= $1 AND a.assigned_at <= $2 \
         AND (a.released_at IS NULL OR a.released_at > $2)"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as::<_, AssignmentRow>(&sql)
        .bind(key)
        .bind(stored_time(at))
        .fetch_optional(&mut *conn)
        .await)?)
}

/// Every assignment that ever covered part of `start..=end`, newest first (the address search).
pub async fn ever_overlapping(
    db: &Db,
    start: &str,
    end: &str,
    limit: i64,
) -> Result<Vec<AssignmentRow>, DbError> {
    let sql = format!(
        "{ASSIGNMENT_SELECT} WHERE a.range_start <= $2 AND a.range_end >= $1 \
         ORDER BY a.released_at IS NULL DESC, a.assigned_at DESC, a.id DESC LIMIT $3"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, AssignmentRow>(&sql)
        .bind(start)
        .bind(end)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// Organisations whose name contains `text` (any case), and those of users whose e-mail does.
pub async fn search_orgs(db: &Db, text: &str, limit: i64) -> Result<Vec<OrgRow>, DbError> {
    let pattern = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
    let sql = format!(
        "{ORG_SELECT} WHERE LOWER(name) LIKE $1 OR id IN (SELECT organisation_id FROM users WHERE email LIKE $1 \
         AND organisation_id IS NOT NULL) OR LOWER(COALESCE(abuse_email, '')) LIKE $1 ORDER BY name LIMIT $2"
    );
    Ok(on_db!(db, |pool| sqlx::query_as::<_, OrgRow>(&sql)
        .bind(&pattern)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// Services whose label contains `text` (any case).
pub async fn search_services(db: &Db, text: &str, limit: i64) -> Result<Vec<ServiceRow>, DbError> {
    let pattern = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
    let sql =
        format!("{SERVICE_SELECT} WHERE LOWER(s.label) LIKE $1 ORDER BY s.label, s.id LIMIT $2");
    Ok(on_db!(db, |pool| sqlx::query_as::<_, ServiceRow>(&sql)
        .bind(&pattern)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// Gives every address listed on a service an open assignment when it has none: addresses
/// recorded before the history was kept (migration 0006) start their history at their
/// service's creation. Run at start; does nothing once every address has its history.
pub async fn backfill_assignments(db: &Db) -> Result<usize, DbError> {
    let missing: Vec<(i64, i64, String, OffsetDateTime)> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT s.id, s.organisation_id, ip.address, s.created_at FROM service_ips ip \
         JOIN services s ON s.id = ip.service_id \
         WHERE NOT EXISTS (SELECT 1 FROM address_assignments a WHERE a.block = ip.address AND a.released_at IS NULL)"
    )
    .fetch_all(pool)
    .await
    })?;
    let mut added = 0;
    for (service, org, address, since) in missing {
        let Ok(block) = IpBlock::parse(&address) else {
            tracing::warn!(%address, service, "an address on a service is not a valid block; left without history");
            continue;
        };
        let (start, end) = block.range_keys();
        let mut tx = db.begin_write().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
            "INSERT INTO address_assignments (block, range_start, range_end, service_id, organisation_id, \
             assigned_at, reason) VALUES ($1, $2, $3, $4, $5, $6, 'Recorded before address history was kept.')"
        )
        .bind(&address)
        .bind(&start)
        .bind(&end)
        .bind(service)
        .bind(org)
        .bind(stored_time(since))
        .execute(&mut *conn)
        .await
        .map(|_| ())
        })?;
        tx.commit().await?;
        added += 1;
    }
    Ok(added)
}
