//! Server functions of the service inventory.

use crate::error::AppError;
use crate::views::inventory::{ServiceDetailView, ServiceListView};
use leptos::prelude::*;

/// A page of the caller's services.
#[server(endpoint = "services/list")]
pub async fn get_services(after: Option<String>) -> Result<ServiceListView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::inventory::services_page(&st, &who, after).await
}

/// One service.
#[server(endpoint = "services/get")]
pub async fn get_service(id: i64) -> Result<ServiceDetailView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::inventory::service_detail(&st, &who, id).await
}

/// Staff set (`action` = `restrict`) or lift (`lift`) the default port-25 restriction on one
/// of the service's addresses, with a written reason.
#[server(endpoint = "services/port25_default")]
pub async fn change_port25_default(
    service: i64,
    ip: String,
    action: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::domain::ids::ServiceId;
    let (st, who) = crate::server::state::caller().await?;
    let restrict = match action.as_str() {
        "restrict" => true,
        "lift" => false,
        _ => return Err(AppError::invalid("action", "Choose restrict or lift.")),
    };
    crate::server::usecase::smtp::change_default_restriction(
        &st,
        &who,
        ServiceId(service),
        &ip,
        restrict,
        &reason,
    )
    .await
}
