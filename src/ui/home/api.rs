//! Server functions for the customer home page.

use crate::error::AppError;
use crate::views::home::HomeView;
use leptos::prelude::*;

/// The signed-in customer's organisation and services. Staff get `Forbidden` (they have no
/// organisation); anonymous callers `NotSignedIn`.
#[server(endpoint = "home/customer_home")]
pub async fn get_customer_home() -> Result<HomeView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::inventory::customer_home(&st, &who).await
}
