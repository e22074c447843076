//! Server functions and view types of the service inventory.

use crate::domain::service::{ServiceKind, ServiceState};
use crate::error::AppError;
use crate::ui::notices::api::{MeasureView, NoticeRowView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A service in the inventory, with what is in force on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRowView {
    /// Id.
    pub id: i64,
    /// Label.
    pub label: String,
    /// Kind.
    pub kind: ServiceKind,
    /// State.
    pub state: ServiceState,
    /// Addresses.
    pub ips: Vec<String>,
    /// Measures in force, in words ("Port 25 (SMTP) block on port 25 on 203.0.113.25").
    pub in_force: Vec<String>,
}

/// A page of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceListView {
    /// The services.
    pub rows: Vec<ServiceRowView>,
    /// The next page's cursor.
    pub next: Option<String>,
}

/// One service: what is in force, its history and its notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDetailView {
    /// The service.
    pub row: ServiceRowView,
    /// Every measure, newest first.
    pub measures: Vec<MeasureView>,
    /// Its notices, most urgent first.
    pub notices: Vec<NoticeRowView>,
    /// The server's clock, Unix seconds.
    pub now_unix: i64,
}

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
