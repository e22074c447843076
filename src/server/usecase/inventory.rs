//! A customer's services, as their home page shows them.

use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::server::db::{accounts, services};
use crate::server::state::AppState;
use crate::ui::home::api::{HomeView, ServiceView};

/// How many services the home page lists; the rest are counted.
pub const HOME_SERVICE_LIMIT: i64 = 50;

/// The customer's organisation and its services. Staff have no organisation: `Forbidden`.
pub async fn customer_home(st: &AppState, actor: &Actor) -> Result<HomeView, AppError> {
    let org = actor.org_scope().ok_or(AppError::Forbidden)?;
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
