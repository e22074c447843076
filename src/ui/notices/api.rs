//! Server functions for the customer's notices (staff see the same through the
//! admin pages). Every function checks the caller; another organisation's notice is not found.

use crate::error::AppError;
use crate::views::notices::{NoticeDetailView, NoticeListView};
use leptos::prelude::*;

/// A page of the caller's notices. Filters: `state`, `service` (id), `category`; `order`
/// `deadline` (default) or `newest`; `after` is a cursor from the previous page.
#[server(endpoint = "notices/list")]
pub async fn list_my_notices(
    state: Option<String>,
    service: Option<i64>,
    category: Option<String>,
    order: Option<String>,
    after: Option<String>,
) -> Result<NoticeListView, AppError> {
    use crate::server::state::{actor, state as app_state};
    let st = app_state()?;
    let who = actor(&st).await?;
    crate::server::usecase::notice_views::list(&st, &who, state, service, category, order, after)
        .await
}

/// One notice with its timeline and responses.
#[server(endpoint = "notices/detail")]
pub async fn get_notice_detail(id: i64) -> Result<NoticeDetailView, AppError> {
    use crate::server::state::session;
    let (st, who) = crate::server::state::caller().await?;
    // The customer's evidence form as they left it; staff have none.
    let draft = match session().await {
        Ok(session) if !who.role.is_provider() => session.evidence_draft(id).await.ok().flatten(),
        _ => None,
    };
    crate::server::usecase::notice_views::detail(&st, &who, id, draft).await
}

/// Acknowledges a notice.
#[server(endpoint = "notices/acknowledge")]
pub async fn acknowledge_notice(id: i64) -> Result<(), AppError> {
    use crate::domain::notice::NoticeEvent;
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::notices::apply_event(&st, &who, id, NoticeEvent::Acknowledge, "")
        .await?;
    Ok(())
}

/// Disputes a notice, with reasons.
#[server(endpoint = "notices/dispute")]
pub async fn dispute_notice(id: i64, reasons: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::notices::dispute(&st, &who, id, &reasons).await?;
    Ok(())
}
