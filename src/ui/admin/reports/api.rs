//! Server functions of the staff's intake pages. Every function requires a staff role.

use crate::error::AppError;
use crate::views::reports::{IntakeListView, IntakeView, PendingView};
use leptos::prelude::*;

/// One list of the intake page: `tab` is `verify` (default), `unmatched`, `failed` or `all`.
#[server(endpoint = "admin/reports/list")]
pub async fn get_intake_list(
    tab: Option<String>,
    after: Option<i64>,
) -> Result<IntakeListView, AppError> {
    use crate::server::usecase::reports::{list, IntakeTab};
    let (st, who) = crate::server::state::caller().await?;
    list(
        &st,
        &who,
        IntakeTab::parse(tab.as_deref().unwrap_or("")),
        after,
    )
    .await
}

/// One report with its kept fields and events.
#[server(endpoint = "admin/reports/get")]
pub async fn get_intake(id: i64) -> Result<IntakeView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::reports::intake(&st, &who, id).await
}

/// One reported case waiting for verification (or decided).
#[server(endpoint = "admin/reports/pending")]
pub async fn get_pending(id: i64) -> Result<PendingView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::reports::pending(&st, &who, id).await
}

/// Verifies a waiting case into a notice (the customer's 48 hours start), then shows the case.
#[server(endpoint = "admin/reports/verify")]
pub async fn verify_reported_case(
    id: i64,
    source: String,
    summary: String,
    verification_note: String,
    high_risk: Option<String>,
) -> Result<(), AppError> {
    use crate::server::usecase::reports::{verify, Verification};
    let (st, who) = crate::server::state::caller().await?;
    let source = source
        .parse()
        .map_err(|_| AppError::invalid("source", "Choose where the reports came from."))?;
    let notice = verify(
        &st,
        &who,
        id,
        Verification {
            source,
            summary,
            verification_note,
            high_risk: high_risk.is_some(),
        },
    )
    .await?;
    leptos_axum::redirect(&format!("/admin/cases/{notice}"));
    Ok(())
}

/// Dismisses a waiting case with a written reason.
#[server(endpoint = "admin/reports/dismiss")]
pub async fn dismiss_reported_case(id: i64, reason: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::reports::dismiss(&st, &who, id, &reason).await
}

/// Matches an unmatched event again (`decision` = `rematch`) or dismisses it (`dismiss`, with a
/// reason).
#[server(endpoint = "admin/reports/event")]
pub async fn decide_event(id: i64, decision: String, reason: String) -> Result<String, AppError> {
    use crate::server::usecase::reports;
    let (st, who) = crate::server::state::caller().await?;
    match decision.as_str() {
        "rematch" => reports::rematch(&st, &who, id)
            .await
            .map(|state| format!("Event #{id} matched: {}.", state.label().to_lowercase())),
        "dismiss" => reports::dismiss_event(&st, &who, id, &reason)
            .await
            .map(|_| format!("Event #{id} dismissed.")),
        _ => Err(AppError::invalid(
            "decision",
            "Choose one of the actions offered.",
        )),
    }
}
