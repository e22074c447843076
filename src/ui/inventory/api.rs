//! Server functions of the service inventory.

use crate::error::AppError;
use crate::views::inventory::{ServiceDetailView, ServiceListView};
use leptos::prelude::*;

/// A page of the caller's services.
#[server(endpoint = "services/list")]
pub async fn get_services(after: Option<String>) -> Result<ServiceListView, AppError> {
    use crate::server::state::{actor, state};
    let st = state()?;
    let who = actor(&st).await?;
    crate::server::usecase::inventory::services_page(&st, &who, after).await
}

/// One service.
#[server(endpoint = "services/get")]
pub async fn get_service(id: i64) -> Result<ServiceDetailView, AppError> {
    use crate::server::state::{actor, state};
    let st = state()?;
    let who = actor(&st).await?;
    crate::server::usecase::inventory::service_detail(&st, &who, id).await
}
