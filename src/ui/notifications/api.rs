//! Server functions of the notifications page.

use crate::error::AppError;
use crate::views::notifications::NotificationListView;
use leptos::prelude::*;

/// The caller's notifications, a page at a time.
#[server(endpoint = "notifications/list")]
pub async fn get_notifications(before: Option<i64>) -> Result<NotificationListView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::notifications::list(&st, &who, before).await
}

/// Marks every notification of the caller read.
#[server(endpoint = "notifications/read_all")]
pub async fn read_all_notifications() -> Result<u64, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::notifications::read_all(&st, &who).await
}
