//! Server functions for the admin home.

use crate::error::AppError;
use crate::views::admin::{AdminOverview, OrgCursor};
use leptos::prelude::*;

/// Provider-wide totals and a page of organisations. Staff and admins only.
#[server(endpoint = "admin/overview")]
pub async fn get_admin_overview(after: Option<OrgCursor>) -> Result<AdminOverview, AppError> {
    use crate::server::state::{actor, state};
    let st = state()?;
    let who = actor(&st).await?;
    crate::server::usecase::admin::overview(&st, &who, after).await
}
