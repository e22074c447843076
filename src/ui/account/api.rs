//! Server functions of the account pages: the signed-in user's own sessions, password and
//! second factor, time zone and mail; their organisation's contacts and mail.

// A server function's arguments are its form's fields, one each; the #[server] macro does not
// pass an item-level allow on to the code it generates.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::views::auth::SessionsView;
use leptos::prelude::*;

/// The caller's live sessions.
#[server(endpoint = "account/sessions")]
pub async fn get_sessions() -> Result<SessionsView, AppError> {
    use crate::server::state::session;
    let (st, who) = crate::server::state::caller().await?;
    let current = session().await?.id();
    crate::server::usecase::accounts::sessions(&st, &who, current.as_deref()).await
}

/// Ends one of the caller's other sessions, named by the handle the list shows.
#[server(endpoint = "account/end_session")]
pub async fn end_session(handle: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::accounts::end_session(&st, &who, &handle).await
}

/// Ends every session of the caller, this one included, and goes to the sign-in page.
#[server(endpoint = "account/sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::server::errors::internal;
    use crate::server::state::session;
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::accounts::end_all_sessions(&st, &who).await?;
    session().await?.sign_out().await.map_err(internal)?;
    leptos_axum::redirect("/login?signed_out=everywhere");
    Ok(())
}

/// Changes the caller's password; their other sessions end.
#[server(endpoint = "account/password")]
pub async fn change_password(current: String, new: String, again: String) -> Result<(), AppError> {
    use crate::server::state::session;
    let (st, who) = crate::server::state::caller().await?;
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

/// Turns two-factor sign-in on with the password and a first code; answers with the recovery
/// codes.
#[server(endpoint = "account/two_factor/confirm")]
pub async fn confirm_two_factor(password: String, code: String) -> Result<Vec<String>, AppError> {
    use crate::server::inbound::http::client_ip_of_request;
    use crate::server::state::{actor_setting_up, state};
    let st = state()?;
    let who = actor_setting_up(&st).await?;
    let client = client_ip_of_request(&st).await;
    crate::server::usecase::two_factor::confirm(&st, &who, &password, &code, client).await
}

/// New recovery codes (`action` = `renew`) or turning two-factor sign-in off (`off`), each with
/// the password and a code that works now.
#[server(endpoint = "account/two_factor/change")]
pub async fn change_two_factor(
    action: String,
    password: String,
    code: String,
) -> Result<Vec<String>, AppError> {
    use crate::server::inbound::http::client_ip_of_request;
    use crate::server::usecase::two_factor;
    let (st, who) = crate::server::state::caller().await?;
    let client = client_ip_of_request(&st).await;
    match action.as_str() {
        "renew" => two_factor::renew_recovery_codes(&st, &who, &password, &code, client).await,
        "off" => two_factor::turn_off(&st, &who, &password, &code, client)
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
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::two_factor::set_org_requirement(&st, &who, required.is_some()).await
}

/// The caller's time zone and the news they receive by mail.
#[server(endpoint = "account/preferences")]
pub async fn get_preferences() -> Result<crate::views::auth::PreferencesView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::preferences::preferences(&st, &who).await
}

/// Saves the caller's time zone and (customers) the kinds of news they receive by mail
/// (`mail`: the boxes ticked).
#[server(endpoint = "account/preferences/save")]
pub async fn save_preferences(
    time_zone: String,
    #[server(default)] mail: Vec<String>,
) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::preferences::save_preferences(&st, &who, &time_zone, &mail).await
}

/// The caller's organisation's contacts and who receives which mail.
#[server(endpoint = "account/organisation")]
pub async fn get_organisation_settings(
) -> Result<crate::views::auth::OrganisationSettingsView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::preferences::organisation(&st, &who).await
}

/// Saves the caller's organisation's contacts, the zone of mails to them and which kinds of
/// news each receives (`abuse`, `technical`, `billing`: the boxes ticked). Owners only.
#[server(endpoint = "account/organisation/save")]
pub async fn save_organisation_settings(
    abuse_email: String,
    billing_email: String,
    technical_email: String,
    phone: String,
    time_zone: String,
    #[server(default)] abuse: Vec<String>,
    #[server(default)] technical: Vec<String>,
    #[server(default)] billing: Vec<String>,
) -> Result<(), AppError> {
    use crate::server::usecase::preferences::{save_organisation, OrganisationSettings};
    let (st, who) = crate::server::state::caller().await?;
    let form = OrganisationSettings {
        abuse_email,
        billing_email,
        technical_email,
        phone,
        time_zone,
        abuse,
        technical,
        billing,
    };
    save_organisation(&st, &who, &form).await
}
