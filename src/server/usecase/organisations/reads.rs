//! Staff read the inventory: an organisation's page, a service's page, and the search by
//! address, name or contact (who held an address when).

use crate::domain::actor::Actor;
use crate::domain::ids::{OrgId, ServiceId};
use crate::domain::inventory::{address_key, IpBlock};
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::inventory::{self as store, AssignmentRow};
use crate::server::db::{accounts, services};
use crate::server::state::AppState;
use crate::views::admin::OrgCursor;
use crate::views::organisations::{
    AdminServiceView, AssignmentView, HolderView, InventorySearchView, MemberView,
    OrganisationView, ServiceSummary,
};

fn assignment_view(a: &AssignmentRow, zone: &Zone) -> AssignmentView {
    AssignmentView {
        block: a.block.clone(),
        service_id: a.service_id,
        service_label: a.service_label.clone(),
        organisation_id: a.organisation_id,
        organisation_name: a.organisation_name.clone(),
        from_text: zone.show(a.assigned_at),
        until_text: a.released_at.map(|t| zone.show(t)),
        assigned_by: a
            .assigned_by_email
            .clone()
            .unwrap_or_else(|| "the portal".into()),
        reason: a.reason.clone(),
        released_by: a.released_at.map(|_| {
            a.released_by_email
                .clone()
                .unwrap_or_else(|| "the portal".into())
        }),
        release_reason: a.release_reason.clone(),
    }
}

/// `/admin/organisations/{id}` (staff and admins).
pub async fn organisation(
    st: &AppState,
    who: &Actor,
    id: OrgId,
) -> Result<OrganisationView, AppError> {
    who.require_staff()?;
    let org = store::org(&st.db, id).await?.ok_or(AppError::NotFound)?;
    let rows = store::services_of(&st.db, id).await?;
    // Every service's addresses, however many services (the page lists them all).
    let current = services::list_for_org(&st.db, id, rows.len() as i64).await?;
    let mut services = Vec::new();
    for s in rows {
        services.push(ServiceSummary {
            id: s.id,
            label: s.label.clone(),
            kind: s.kind.parse().map_err(crate::server::errors::internal)?,
            state: s.state.parse().map_err(crate::server::errors::internal)?,
            blocks: current
                .iter()
                .find(|c| c.id.0 == s.id)
                .map(|c| c.ips.clone())
                .unwrap_or_default(),
            retired_text: s.retired_at.map(|t| who.zone.show(t)),
        });
    }
    let members = accounts::members(&st.db, id)
        .await?
        .into_iter()
        .map(|(email, role)| MemberView {
            email,
            role: role
                .parse::<crate::domain::actor::Role>()
                .map(|r| r.label().to_owned())
                .unwrap_or(role),
        })
        .collect();
    Ok(OrganisationView {
        id: org.id,
        name: org.name.clone(),
        contacts: org.contacts(),
        mail_routes: {
            let routes = org.mail_routes()?;
            let words = |set: &crate::domain::notification::KindSet| {
                if set.kinds().is_empty() {
                    "none".to_owned()
                } else {
                    set.kinds()
                        .iter()
                        .map(|k| k.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            vec![
                ("Abuse".to_owned(), words(&routes.abuse)),
                ("Technical".to_owned(), words(&routes.technical)),
                ("Billing".to_owned(), words(&routes.billing)),
            ]
        },
        mail_zone: org.zone().name().to_owned(),
        created_text: who.zone.show(org.created_at),
        retired_text: org.retired_at.map(|t| who.zone.show(t)),
        services,
        members,
        people: if may_edit(who) {
            Some(crate::server::usecase::people::people(st, who, Some(id)).await?)
        } else {
            None
        },
        may_edit: may_edit(who),
    })
}

fn may_edit(who: &Actor) -> bool {
    who.require_admin().is_ok()
}

/// The most choices a "move to" list in a form offers; beyond that the form asks for a number.
const MOVE_CHOICES: usize = 1_000;

/// Every choice, or none when there are more than a list can show ([`MOVE_CHOICES`]).
fn all_or_none<T>(choices: Vec<T>) -> Option<Vec<T>> {
    (choices.len() <= MOVE_CHOICES).then_some(choices)
}

/// `/admin/services/{id}` (staff and admins).
pub async fn service(
    st: &AppState,
    who: &Actor,
    id: ServiceId,
) -> Result<AdminServiceView, AppError> {
    let staff = who.require_staff()?;
    let s = store::service(&st.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let history = store::history_of_service(&st.db, id).await?;
    let organisations = all_or_none(
        accounts::list_organisations(&st.db, staff, None, MOVE_CHOICES as i64 + 1)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect(),
    );
    let services = all_or_none(
        services::list_all_labelled(&st.db, staff, MOVE_CHOICES as i64 + 2)
            .await?
            .into_iter()
            .filter(|(other, ..)| *other != s.id)
            .map(|(other, org, label, _)| (other, format!("{org} · {label}")))
            .collect(),
    );
    Ok(AdminServiceView {
        id: s.id,
        label: s.label.clone(),
        kind: s.kind.parse().map_err(crate::server::errors::internal)?,
        state: s.state.parse().map_err(crate::server::errors::internal)?,
        organisation_id: s.organisation_id,
        organisation_name: s.organisation_name.clone(),
        created_text: who.zone.show(s.created_at),
        retired_text: s.retired_at.map(|t| who.zone.show(t)),
        current: {
            let mut open: Vec<AssignmentView> = history
                .iter()
                .filter(|a| a.released_at.is_none())
                .map(|a| assignment_view(a, &who.zone))
                .collect();
            open.sort_by(|x, y| x.block.cmp(&y.block));
            open
        },
        history: history
            .iter()
            .map(|a| assignment_view(a, &who.zone))
            .collect(),
        organisations,
        services,
        may_edit: may_edit(who),
    })
}

/// The most search results of each kind.
const SEARCH_LIMIT: i64 = 50;
/// Organisations per page of the list shown before a search.
const ORG_PAGE: i64 = 100;

/// Staff search the inventory: an address or prefix (every assignment that ever covered it),
/// or text (organisation names, contacts and members' e-mail addresses, service labels); and,
/// with `at`, who held an address at that time.
pub async fn search(
    st: &AppState,
    who: &Actor,
    query: &str,
    at: &str,
    after: Option<OrgCursor>,
) -> Result<InventorySearchView, AppError> {
    let staff = who.require_staff()?;
    let query = query.trim().to_owned();
    let mut view = InventorySearchView {
        query: query.clone(),
        zone: who.zone.name().to_owned(),
        organisations: Vec::new(),
        services: Vec::new(),
        assignments: Vec::new(),
        holder: None,
        may_edit: may_edit(who),
        next: None,
    };
    if query.is_empty() {
        let mut rows = accounts::list_organisations(
            &st.db,
            staff,
            after.as_ref().map(|c| (c.name.as_str(), c.id)),
            ORG_PAGE + 1,
        )
        .await?;
        if rows.len() as i64 > ORG_PAGE {
            rows.truncate(ORG_PAGE as usize);
            view.next = rows.last().map(|o| OrgCursor {
                name: o.name.clone(),
                id: o.id,
            });
        }
        view.organisations = rows.into_iter().map(|o| (o.id, o.name)).collect();
        return Ok(view);
    }
    if query.chars().count() > 200 {
        return Err(AppError::invalid("q", "Search for at most 200 characters."));
    }
    let as_block = IpBlock::parse(&query).ok().or_else(|| {
        // A search for a reserved or over-wide block is still a search.
        let ip: std::net::IpAddr = query.parse().ok()?;
        Some(IpBlock::address(ip))
    });
    if let Some(block) = as_block {
        let (start, end) = block.range_keys();
        view.assignments = store::ever_overlapping(&st.db, &start, &end, SEARCH_LIMIT)
            .await?
            .iter()
            .map(|a| assignment_view(a, &who.zone))
            .collect();
        if !at.trim().is_empty() {
            let when = who.zone.parse_input(at).ok_or_else(|| {
                AppError::invalid(
                    "at",
                    format!("Give the time as YYYY-MM-DDTHH:MM ({}).", who.zone),
                )
            })?;
            let holder = store::holder_at(&st.db, &address_key(block.network), when).await?;
            view.holder = Some(HolderView {
                address: block.network.to_string(),
                at_text: who.zone.show(when),
                assignment: holder.as_ref().map(|a| assignment_view(a, &who.zone)),
            });
        }
        return Ok(view);
    }
    view.organisations = store::search_orgs(&st.db, &query, SEARCH_LIMIT)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    view.services = store::search_services(&st.db, &query, SEARCH_LIMIT)
        .await?
        .into_iter()
        .map(|s| (s.id, s.label, s.organisation_name))
        .collect();
    Ok(view)
}
