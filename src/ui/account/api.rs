//! Server functions of the account pages: the signed-in user's own sessions and password.

use crate::error::AppError;
use crate::views::auth::SessionsView;
use leptos::prelude::*;

/// The caller's live sessions.
#[server(endpoint = "account/sessions")]
pub async fn get_sessions() -> Result<SessionsView, AppError> {
    use crate::server::state::{actor, session, state};
    let st = state()?;
    let who = actor(&st).await?;
    let current = session().await?.id();
    crate::server::usecase::accounts::sessions(&st, &who, current.as_deref()).await
}

/// Ends one of the caller's other sessions, named by the handle the list shows.
#[server(endpoint = "account/end_session")]
pub async fn end_session(handle: String) -> Result<(), AppError> {
    use crate::server::state::{actor, state};
    let st = state()?;
    let who = actor(&st).await?;
    crate::server::usecase::accounts::end_session(&st, &who, &handle).await
}

/// Ends every session of the caller, this one included, and goes to the sign-in page.
#[server(endpoint = "account/sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::server::errors::internal;
    use crate::server::state::{actor, session, state};
    let st = state()?;
    let who = actor(&st).await?;
    crate::server::usecase::accounts::end_all_sessions(&st, &who).await?;
    session().await?.sign_out().await.map_err(internal)?;
    leptos_axum::redirect("/login?signed_out=everywhere");
    Ok(())
}

/// Changes the caller's password; their other sessions end.
#[server(endpoint = "account/password")]
pub async fn change_password(current: String, new: String, again: String) -> Result<(), AppError> {
    use crate::server::state::{actor, session, state};
    let st = state()?;
    let who = actor(&st).await?;
    let keep = session().await?.id();
    crate::server::usecase::people::change_password(
        &st,
        &who,
        &current,
        &new,
        &again,
        keep.as_deref(),
    )
    .await
}
