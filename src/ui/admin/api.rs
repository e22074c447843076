//! Server functions for the admin home.

use crate::error::AppError;
use crate::views::admin::{AdminOverview, OrgCursor};
use leptos::prelude::*;

/// Provider-wide totals and a page of organisations. Staff and admins only.
#[server(endpoint = "admin/overview")]
pub async fn get_admin_overview(after: Option<OrgCursor>) -> Result<AdminOverview, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::admin::overview(&st, &who, after).await
}

/// The API tokens (admins).
#[server(endpoint = "admin/tokens")]
pub async fn get_tokens() -> Result<Vec<crate::views::admin::TokenView>, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::api_tokens::list(&st, &who).await
}

/// Makes an API token (`scopes`: the boxes ticked); answers with it, to show once.
#[server(endpoint = "admin/tokens/create")]
pub async fn create_token(
    name: String,
    #[server(default)] scopes: Vec<String>,
) -> Result<crate::views::admin::TokenCreated, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::api_tokens::create(&st, &who, &name, &scopes.join(" ")).await
}

/// Revokes an API token.
#[server(endpoint = "admin/tokens/revoke")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::api_tokens::revoke(&st, &who, id).await
}

/// The outbox of mails (staff): `tab` is `given_up` (default), `retrying` or `all`.
#[server(endpoint = "admin/mail")]
pub async fn get_outbox(
    tab: Option<String>,
    before: Option<i64>,
) -> Result<crate::views::admin::OutboxView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::mail::outbox_page(&st, &who, tab, before).await
}

/// Sends a given-up mail again (staff).
#[server(endpoint = "admin/mail/send_again")]
pub async fn send_mail_again(id: i64) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::mail::send_again(&st, &who, id).await
}
