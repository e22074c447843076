//! Admins change the inventory: organisations, services, and the addresses and prefixes they
//! hold, each change with a written reason in the provider-wide audit log.

use crate::domain::actor::Actor;
use crate::domain::enforcement::{EnforcementKind, Measure, Scope};
use crate::domain::form::FieldError;
use crate::domain::ids::{OrgId, ServiceId};
use crate::domain::inventory::{service_label, Contacts, IpBlock};
use crate::domain::service::ServiceKind;
use crate::domain::time_format::utc;
use crate::error::AppError;
use crate::server::db::enforcement::{self, NewAction};
use crate::server::db::inventory::{self as store, AssignmentRow, NewAssignment};
use crate::server::db::{smtp, DbError, Tx};
use crate::server::state::AppState;
use crate::server::usecase::audit::record_provider;
use time::OffsetDateTime;

/// What an admin types for an organisation.
#[derive(Debug, Clone, Default)]
pub struct OrgForm {
    /// Name.
    pub name: String,
    /// Abuse contact.
    pub abuse_email: String,
    /// Billing contact.
    pub billing_email: String,
    /// Technical contact.
    pub technical_email: String,
    /// Telephone.
    pub phone: String,
}

impl OrgForm {
    fn check(&self) -> Result<(String, Contacts), AppError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let name = crate::domain::account::OrgName::parse(&self.name)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "name".into(),
                    message: e.to_string(),
                })
            })
            .ok();
        let contacts = Contacts::parse(
            &self.abuse_email,
            &self.billing_email,
            &self.technical_email,
            &self.phone,
        )
        .map_err(|e| errors.extend(e))
        .ok();
        match (name, contacts) {
            (Some(name), Some(contacts)) if errors.is_empty() => {
                Ok((name.as_str().to_owned(), contacts))
            }
            _ => Err(AppError::InvalidFields(errors)),
        }
    }
}

/// The reason of a change to the inventory, which goes into the provider-wide log.
fn reason_text(raw: &str) -> Result<String, AppError> {
    let ask = "Write why, for the audit log";
    Ok(crate::server::usecase::audit::written_reason("reason", raw, ask)?.into_string())
}

fn name_taken(e: DbError, field: &str, message: &str) -> AppError {
    match e {
        DbError::Duplicate => AppError::invalid(field, message),
        other => other.into(),
    }
}

/// Admins create an organisation; returns its id.
pub async fn create_organisation(
    st: &AppState,
    who: &Actor,
    form: &OrgForm,
    reason: &str,
) -> Result<OrgId, AppError> {
    let admin = who.require_admin()?;
    let (name, contacts) = form.check()?;
    let reason = reason_text(reason)?;
    let label = crate::server::usecase::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let id = store::insert_org(&mut tx, admin, &name, &contacts, st.now())
        .await
        .map_err(|e| name_taken(e, "name", "An organisation of that name exists already."))?;
    record_provider(
        st,
        &mut tx,
        &label,
        "organisation_created",
        &format!("Organisation {name} (#{id}) created: {reason}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Admins rename an organisation or change its contacts.
pub async fn update_organisation(
    st: &AppState,
    who: &Actor,
    id: OrgId,
    form: &OrgForm,
    reason: &str,
) -> Result<(), AppError> {
    let admin = who.require_admin()?;
    let (name, contacts) = form.check()?;
    let reason = reason_text(reason)?;
    let label = crate::server::usecase::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let before = store::org_in_tx(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::update_org(&mut tx, admin, id, &name, &contacts)
        .await
        .map_err(|e| name_taken(e, "name", "An organisation of that name exists already."))?;
    let renamed = if before.name == name {
        String::new()
    } else {
        format!(" renamed from {},", before.name)
    };
    record_provider(st, &mut tx,
        &label,
        "organisation_changed",
        &format!(
            "Organisation {name} (#{id}){renamed} contacts: abuse {}, billing {}, technical {}, phone {}: {reason}",
            contacts.abuse_email.as_deref().unwrap_or("none"),
            contacts.billing_email.as_deref().unwrap_or("none"),
            contacts.technical_email.as_deref().unwrap_or("none"),
            contacts.phone.as_deref().unwrap_or("none"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Admins retire an organisation whose services are all retired.
pub async fn retire_organisation(
    st: &AppState,
    who: &Actor,
    id: OrgId,
    reason: &str,
) -> Result<(), AppError> {
    let admin = who.require_admin()?;
    let reason = reason_text(reason)?;
    let label = crate::server::usecase::audit::actor_label(st, who).await?;
    let services = store::services_of(&st.db, id).await?;
    if let Some(live) = services.iter().find(|s| s.retired_at.is_none()) {
        return Err(AppError::Conflict(format!(
            "Retire or move its services first: {} is still in service.",
            live.label
        )));
    }
    let mut tx = st.db.begin_write().await?;
    let org = store::org_in_tx(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if org.retired_at.is_some() {
        return Err(AppError::Conflict(
            "This organisation is retired already.".into(),
        ));
    }
    store::retire_org(&mut tx, admin, id, st.now()).await?;
    record_provider(
        st,
        &mut tx,
        &label,
        "organisation_retired",
        &format!("Organisation {} (#{id}) retired: {reason}", org.name),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn kind_of(raw: &str) -> Result<ServiceKind, AppError> {
    raw.parse()
        .map_err(|_| AppError::invalid("kind", "Choose the kind of service from the list."))
}

/// Admins add a service to an organisation; returns its id.
pub async fn create_service(
    st: &AppState,
    who: &Actor,
    org: OrgId,
    label: &str,
    kind: &str,
    reason: &str,
) -> Result<ServiceId, AppError> {
    let admin = who.require_admin()?;
    let label = service_label(label).map_err(|e| AppError::InvalidFields(vec![e]))?;
    let kind = kind_of(kind)?;
    let reason = reason_text(reason)?;
    let actor = crate::server::usecase::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let owner = store::org_in_tx(&mut tx, org)
        .await?
        .ok_or(AppError::NotFound)?;
    if owner.retired_at.is_some() {
        return Err(AppError::Conflict(
            "This organisation is retired; it takes no new services.".into(),
        ));
    }
    let id = store::insert_service(&mut tx, admin, org, &label, kind, st.now())
        .await
        .map_err(|e| {
            name_taken(
                e,
                "label",
                "This organisation has a service of that name already.",
            )
        })?;
    record_provider(
        st,
        &mut tx,
        &actor,
        "service_created",
        &format!(
            "Service {label} (#{id}, {}) created for {}: {reason}",
            kind.label(),
            owner.name
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Admins change a service's label and kind, or move it to another organisation (its
/// addresses' assignments end and start again under the new organisation, so the history says
/// who held them when).
pub async fn update_service(
    st: &AppState,
    who: &Actor,
    id: ServiceId,
    label: &str,
    kind: &str,
    org: OrgId,
    reason: &str,
) -> Result<(), AppError> {
    let admin = who.require_admin()?;
    let label = service_label(label).map_err(|e| AppError::InvalidFields(vec![e]))?;
    let kind = kind_of(kind)?;
    let reason = reason_text(reason)?;
    let actor = crate::server::usecase::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let before = store::service_in_tx(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.retired_at.is_some() {
        return Err(AppError::Conflict(
            "This service is retired and cannot change.".into(),
        ));
    }
    let to = store::org_in_tx(&mut tx, org)
        .await?
        .ok_or_else(|| AppError::invalid("organisation", "No organisation has that number."))?;
    if to.retired_at.is_some() && to.id != before.organisation_id {
        return Err(AppError::invalid(
            "organisation",
            "That organisation is retired.",
        ));
    }
    store::update_service(&mut tx, admin, id, org, &label, kind)
        .await
        .map_err(|e| {
            name_taken(
                e,
                "label",
                "That organisation has a service of that name already.",
            )
        })?;
    let mut detail = format!(
        "Service #{id} ({} → {label}, {}):",
        before.label,
        kind.label()
    );
    if before.organisation_id != org.0 {
        let moved = why_moved(&before.organisation_name, &to.name, &reason);
        let mut ended = String::new();
        for a in store::open_of_service_in_tx(&mut tx, id).await? {
            let block = IpBlock::parse(&a.block).map_err(crate::server::errors::internal)?;
            if let Some((_, what)) = release_in_tx(&mut tx, who, &block, now, &moved).await? {
                ended.push_str(&what);
            }
            store::open_assignment(
                &mut tx,
                &NewAssignment {
                    block: &block,
                    service: id,
                    org,
                    at: now,
                    by: Some(who.user_id),
                    reason: &moved,
                },
            )
            .await?;
        }
        detail.push_str(&format!(
            " moved from {} to {}{ended};",
            before.organisation_name, to.name
        ));
    }
    record_provider(
        st,
        &mut tx,
        &actor,
        "service_changed",
        &format!("{detail} {reason}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Releases `block` from the service holding it and ends that service's live port-25 requests
/// for addresses in it; the released assignment (`None` when nothing held the block) and, as
/// words for the audit entry, what ended with it (`""`, or `"; port-25 request #3 … revoked"`).
pub(crate) async fn release_in_tx(
    tx: &mut Tx,
    who: &Actor,
    block: &IpBlock,
    now: OffsetDateTime,
    reason: &str,
) -> Result<Option<(AssignmentRow, String)>, AppError> {
    let Some(released) =
        store::release_assignment(tx, block, now, Some(who.user_id), reason).await?
    else {
        return Ok(None);
    };
    let ended = crate::server::usecase::smtp::end_for_released_block(
        tx,
        who,
        ServiceId(released.service_id),
        block,
        now,
        reason,
    )
    .await?;
    let ended = ended.iter().map(|e| format!("; {e}")).collect::<String>();
    Ok(Some((released, ended)))
}

fn why_moved(from: &str, to: &str, reason: &str) -> String {
    format!("Service moved from {from} to {to}: {reason}")
}

/// Admins retire a service: its addresses are released (history kept), and it takes no more.
pub async fn retire_service(
    st: &AppState,
    who: &Actor,
    id: ServiceId,
    reason: &str,
) -> Result<(), AppError> {
    let admin = who.require_admin()?;
    let reason = reason_text(reason)?;
    let actor = crate::server::usecase::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let service = store::service_in_tx(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if service.retired_at.is_some() {
        return Err(AppError::Conflict(
            "This service is retired already.".into(),
        ));
    }
    let released = format!("Service retired: {reason}");
    let mut blocks = Vec::new();
    for a in store::open_of_service_in_tx(&mut tx, id).await? {
        let block = IpBlock::parse(&a.block).map_err(crate::server::errors::internal)?;
        let ended = release_in_tx(&mut tx, who, &block, now, &released)
            .await?
            .map(|(_, ended)| ended)
            .unwrap_or_default();
        blocks.push(format!("{}{ended}", a.block));
    }
    store::retire_service(&mut tx, admin, id, now).await?;
    record_provider(
        st,
        &mut tx,
        &actor,
        "service_retired",
        &format!(
            "Service {} (#{id}) of {} retired{}: {reason}",
            service.label,
            service.organisation_name,
            if blocks.is_empty() {
                String::new()
            } else {
                format!("; released {}", blocks.join(", "))
            }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn block_of(raw: &str) -> Result<IpBlock, AppError> {
    IpBlock::parse(raw).map_err(|e| AppError::invalid("block", e.to_string()))
}

/// Refuses a block that overlaps one held now, naming who holds it (the database refuses it too).
async fn ensure_free(tx: &mut Tx, block: &IpBlock) -> Result<(), AppError> {
    let (start, end) = block.range_keys();
    let held = store::open_overlapping(tx, &start, &end).await?;
    if let Some(a) = held.first() {
        return Err(AppError::invalid(
            "block",
            format!(
                "{} is held by {} ({}) since {}: release or move it first.",
                a.block,
                a.service_label,
                a.organisation_name,
                utc(a.assigned_at)
            ),
        ));
    }
    Ok(())
}

const TAKEN_MEANWHILE: &str =
    "Another service took this block, or part of it, a moment ago: search for it to see who holds it.";

/// Opens an assignment, with the default port-25 restriction on a single address of a service
/// whose kind starts restricted (policy §5), in `tx`.
pub(crate) async fn assign_in_tx(
    tx: &mut Tx,
    who: &Actor,
    block: &IpBlock,
    service: &store::ServiceRow,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    ensure_free(tx, block).await?;
    store::open_assignment(
        tx,
        &NewAssignment {
            block,
            service: ServiceId(service.id),
            org: OrgId(service.organisation_id),
            at: now,
            by: Some(who.user_id),
            reason,
        },
    )
    .await
    .map_err(|e| match e {
        // The partial unique index, or the overlap trigger when another admin's assignment
        // committed between the check above and this insert.
        DbError::Duplicate => AppError::invalid("block", TAKEN_MEANWHILE),
        DbError::Sqlx(sqlx::Error::Database(d))
            if d.message().contains("address assignments overlap") =>
        {
            AppError::invalid("block", TAKEN_MEANWHILE)
        }
        other => other.into(),
    })?;
    let kind: ServiceKind = service
        .kind
        .parse()
        .map_err(crate::server::errors::internal)?;
    if block.is_single() && smtp::restricted_by_default_in_tx(tx, kind).await? {
        enforcement::insert_by_portal(
            tx,
            &NewAction {
                service: ServiceId(service.id),
                notice_id: None,
                measure: Measure {
                    kind: EnforcementKind::Port25Restriction,
                    scope: Scope::Port {
                        port: 25,
                        ip: Some(block.to_string()),
                    },
                    starts_at: now,
                    ends_at: None,
                },
                reason: format!(
                    "Outbound SMTP is restricted on new addresses of {} services until a legitimate \
                     use case is approved in writing (policy §5).",
                    kind.label()
                ),
                upstream_requested: false,
                started_by: None,
                smtp_request_id: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// Admins assign an address or prefix to a service from now on.
pub async fn assign_block(
    st: &AppState,
    who: &Actor,
    id: ServiceId,
    raw: &str,
    reason: &str,
) -> Result<(), AppError> {
    who.require_admin()?;
    let block = block_of(raw)?;
    let reason = reason_text(reason)?;
    let actor = crate::server::usecase::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let service = store::service_in_tx(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if service.retired_at.is_some() {
        return Err(AppError::Conflict(
            "This service is retired; it takes no addresses.".into(),
        ));
    }
    assign_in_tx(&mut tx, who, &block, &service, &reason, now).await?;
    record_provider(
        st,
        &mut tx,
        &actor,
        "address_assigned",
        &format!(
            "{block} assigned to {} (#{id}) of {}: {reason}",
            service.label, service.organisation_name
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Admins release an address or prefix from its service (`to` = `None`), or move it to another
/// service (of the same or another organisation) at once.
pub async fn release_block(
    st: &AppState,
    who: &Actor,
    raw: &str,
    to: Option<ServiceId>,
    reason: &str,
) -> Result<(), AppError> {
    who.require_admin()?;
    let block = block_of(raw)?;
    let reason = reason_text(reason)?;
    let actor = crate::server::usecase::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let (released, ended) = release_in_tx(&mut tx, who, &block, now, &reason)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "block",
                format!("{block} is not assigned to any service now."),
            )
        })?;
    let detail = match to {
        None => format!(
            "{block} released from {} (#{}) of {}{ended}: {reason}",
            released.service_label, released.service_id, released.organisation_name
        ),
        Some(target) => {
            let service = store::service_in_tx(&mut tx, target)
                .await?
                .ok_or_else(|| AppError::invalid("to_service", "No service has that number."))?;
            if service.retired_at.is_some() {
                return Err(AppError::invalid("to_service", "That service is retired."));
            }
            if service.id == released.service_id {
                return Err(AppError::invalid(
                    "to_service",
                    "The block is on that service already.",
                ));
            }
            assign_in_tx(&mut tx, who, &block, &service, &reason, now).await?;
            format!(
                "{block} moved from {} (#{}) of {} to {} (#{}) of {}{ended}: {reason}",
                released.service_label,
                released.service_id,
                released.organisation_name,
                service.label,
                service.id,
                service.organisation_name
            )
        }
    };
    record_provider(st, &mut tx, &actor, "address_released", &detail).await?;
    tx.commit().await?;
    Ok(())
}
