//! A customer's services, as their home page shows them.

use crate::domain::actor::Actor;
use crate::domain::ids::ServiceId;
use crate::domain::smtp::port25_state;
use crate::error::AppError;
use crate::server::db::notices::NoticeFilter;
use crate::server::db::{accounts, enforcement, services};
use crate::server::state::AppState;
use crate::views::home::{HomeView, ServiceView};
use crate::views::inventory::{ServiceDetailView, ServiceListView, ServiceRowView};
use crate::views::notices::MeasureView;

/// How many services the home page lists; the rest are counted.
pub const HOME_SERVICE_LIMIT: i64 = 50;

/// The customer's organisation and its services. Staff have no organisation: `Forbidden`.
pub async fn customer_home(st: &AppState, actor: &Actor) -> Result<HomeView, AppError> {
    let org = actor.customer_scope()?.id();
    let user = accounts::find_user(&st.db, actor.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let records = services::list_for_org(&st.db, org, HOME_SERVICE_LIMIT).await?;
    let total_services = services::count_for_org(&st.db, org).await?;
    Ok(HomeView {
        org_name: user.organisation_name.unwrap_or_default(),
        total_services,
        services: records
            .into_iter()
            .map(|s| ServiceView {
                id: s.id,
                label: s.label,
                kind: s.kind,
                state: s.state,
                ips: s.ips,
            })
            .collect(),
    })
}

/// Services per inventory page.
pub const SERVICES_PER_PAGE: i64 = 25;

/// A page of the customer's services with the measures in force on each.
pub async fn services_page(
    st: &AppState,
    actor: &Actor,
    after: Option<String>,
) -> Result<ServiceListView, AppError> {
    let org = actor.customer_scope()?.id();
    let cursor = match after.filter(|a| !a.is_empty()) {
        None => None,
        Some(raw) => {
            let (id, label) = raw
                .split_once(':')
                .ok_or_else(|| AppError::invalid("after", "That page link is not valid."))?;
            Some((
                label.to_owned(),
                id.parse::<i64>()
                    .map_err(|_| AppError::invalid("after", "That page link is not valid."))?,
            ))
        }
    };
    let mut records = services::page_for_org(
        &st.db,
        org,
        cursor.as_ref().map(|(l, i)| (l.as_str(), *i)),
        SERVICES_PER_PAGE + 1,
    )
    .await?;
    let next = if records.len() as i64 > SERVICES_PER_PAGE {
        records.truncate(SERVICES_PER_PAGE as usize);
        records.last().map(|s| format!("{}:{}", s.id.0, s.label))
    } else {
        None
    };
    let now = st.now();
    let live = enforcement::in_force_for_org(&st.db, org, now).await?;
    let rows = records
        .into_iter()
        .map(|s| {
            let in_force = live
                .iter()
                .filter(|a| a.service_id == s.id.0)
                .map(|a| {
                    format!(
                        "{} on {}",
                        a.measure.kind.label(),
                        a.measure.scope.describe()
                    )
                })
                .collect();
            let measures: Vec<_> = live
                .iter()
                .filter(|a| a.service_id == s.id.0)
                .map(|a| a.measure.clone())
                .collect();
            let port25 = s
                .ips
                .iter()
                .map(|ip| port25_state(ip, &measures, now))
                .collect();
            ServiceRowView {
                id: s.id.0,
                label: s.label,
                kind: s.kind,
                state: s.state,
                ips: s.ips,
                port25,
                in_force,
            }
        })
        .collect();
    Ok(ServiceListView { rows, next })
}

/// One service for its organisation's users or staff (another organisation's is not found).
pub async fn service_detail(
    st: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<ServiceDetailView, AppError> {
    let service = services::get(&st.db, ServiceId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    actor.may_access_org(service.org_id)?;
    let now = st.now();
    let actions = enforcement::for_service(&st.db, service.id).await?;
    let measures: Vec<MeasureView> = actions
        .iter()
        .map(|a| super::notice_views::measure_view(a, now, actor))
        .collect();
    let filter = NoticeFilter {
        service: Some(service.id),
        ..Default::default()
    };
    let notices = super::notices::list_notices(st, actor, filter, None, 50).await?;
    let mut reactivation = Vec::new();
    for notice in enforcement::suspending_cases(&actions, now) {
        if let Some(view) = super::billing_views::reactivation(st, notice, &actions, now).await? {
            reactivation.push((notice, view));
        }
    }
    let in_force = measures
        .iter()
        .filter(|m| m.in_force)
        .map(|m| format!("{} on {}", m.kind, m.scope))
        .collect();
    Ok(ServiceDetailView {
        row: ServiceRowView {
            id,
            label: service.label,
            kind: service.kind,
            state: service.state,
            port25: service
                .ips
                .iter()
                .map(|ip| {
                    let all: Vec<_> = actions.iter().map(|a| a.measure.clone()).collect();
                    port25_state(ip, &all, now)
                })
                .collect(),
            ips: service.ips,
            in_force,
        },
        measures,
        notices: notices
            .iter()
            .map(|n| super::notice_views::row(n, &actor.zone))
            .collect(),
        now_unix: now.unix_timestamp(),
        staff: actor.role.is_provider(),
        reactivation,
    })
}
