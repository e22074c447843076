//! Server functions of the staff's port-25 pages. Every function requires a staff role.

use crate::error::AppError;
use crate::views::smtp::{RequestQueueView, StaffRequestView};
use leptos::prelude::*;

/// A page of the queue. `filter`: `waiting` (default) or a status.
#[server(endpoint = "admin/smtp/queue")]
pub async fn get_request_queue(
    filter: Option<String>,
    after: Option<String>,
) -> Result<RequestQueueView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::smtp_views::staff_queue(&st, &who, filter, after).await
}

/// One request with the customer's history.
#[server(endpoint = "admin/smtp/get")]
pub async fn get_staff_request(id: i64) -> Result<StaffRequestView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::smtp_views::staff_request(&st, &who, id).await
}

/// Approves in writing, with optional conditions (daily cap, end of probation `YYYY-MM-DD`).
#[server(endpoint = "admin/smtp/approve")]
pub async fn approve_request(
    id: i64,
    approval_text: String,
    daily_cap: String,
    probation_until: String,
) -> Result<(), AppError> {
    use crate::server::usecase::smtp::{approve, Approval};
    let (st, who) = crate::server::state::caller().await?;
    let input = Approval {
        text: approval_text,
        daily_cap,
        probation_until,
    };
    approve(&st, &who, id, &input).await?;
    Ok(())
}

/// Rejects (`decision` = `reject`) a pending request or revokes (`revoke`) an approval, with
/// the written reason the customer reads.
#[server(endpoint = "admin/smtp/decide")]
pub async fn decide_request(id: i64, decision: String, reason: String) -> Result<(), AppError> {
    use crate::server::usecase::smtp;
    let (st, who) = crate::server::state::caller().await?;
    match decision.as_str() {
        "reject" => smtp::reject(&st, &who, id, &reason).await,
        "revoke" => smtp::revoke(&st, &who, id, &reason).await,
        _ => Err(AppError::invalid(
            "decision",
            "Choose one of the decisions offered.",
        )),
    }
}

/// Runs the DNS checks again.
#[server(endpoint = "admin/smtp/recheck")]
pub async fn recheck_request(id: i64) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    who.require_staff()?;
    crate::server::usecase::smtp::run_checks(&st, &who, id).await?;
    Ok(())
}
