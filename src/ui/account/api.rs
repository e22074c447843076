//! Server functions of the account pages: the signed-in user's own sessions, password and
//! second factor.

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

/// The caller's second factor, or its setup. Works before it is set up.
#[server(endpoint = "account/two_factor")]
pub async fn get_two_factor() -> Result<crate::views::auth::TwoFactorView, AppError> {
    use crate::server::state::{actor_setting_up, state};
    let st = state()?;
    let who = actor_setting_up(&st).await?;
    crate::server::usecase::two_factor::status(&st, &who).await
}

/// Turns two-factor sign-in on with a first code; answers with the recovery codes.
#[server(endpoint = "account/two_factor/confirm")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::server::state::{actor_setting_up, state};
    let st = state()?;
    let who = actor_setting_up(&st).await?;
    crate::server::usecase::two_factor::confirm(&st, &who, &code).await
}

/// New recovery codes (`action` = `renew`) or turning two-factor sign-in off (`off`), each with
/// a code that works now.
#[server(endpoint = "account/two_factor/change")]
pub async fn change_two_factor(action: String, code: String) -> Result<Vec<String>, AppError> {
    use crate::server::state::{actor, state};
    use crate::server::usecase::two_factor;
    let st = state()?;
    let who = actor(&st).await?;
    match action.as_str() {
        "renew" => two_factor::renew_recovery_codes(&st, &who, &code).await,
        "off" => two_factor::turn_off(&st, &who, &code)
            .await
            .map(|()| Vec::new()),
        _ => Err(AppError::invalid(
            "action",
            "Choose one of the actions offered.",
        )),
    }
}

/// An owner requires (`required` checked) or stops requiring a second factor of their members.
#[server(endpoint = "account/two_factor/require")]
pub async fn require_two_factor(required: Option<String>) -> Result<(), AppError> {
    use crate::server::state::{actor, state};
    let st = state()?;
    let who = actor(&st).await?;
    crate::server::usecase::two_factor::set_org_requirement(&st, &who, required.is_some()).await
}
