//! Server functions of the people pages. Admins manage the provider's staff and any
//! organisation's accounts; a customer owner, their own organisation's; anyone, their own
//! password. Accepting an invitation needs no account (the link is the credential).

use crate::error::AppError;
use crate::views::people::{InvitationCreated, InvitePageView, PeopleView};
use leptos::prelude::*;

/// The accounts and invitations the caller manages (`organisation`: admins only; owners always
/// get their own).
#[server(endpoint = "people/list")]
pub async fn get_people(organisation: Option<i64>) -> Result<PeopleView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::people::people(&st, &who, organisation.map(crate::domain::ids::OrgId))
        .await
}

/// Invites someone by e-mail address; the link goes by mail (and back to an admin, to pass on).
#[server(endpoint = "people/invite")]
pub async fn invite_person(
    email: String,
    role: String,
    organisation: Option<String>,
    owner: Option<String>,
) -> Result<InvitationCreated, AppError> {
    use crate::domain::ids::OrgId;
    let (st, who) = crate::server::state::caller().await?;
    let role = role
        .parse()
        .map_err(|_| AppError::invalid("role", "Choose a role from the list."))?;
    let org = match organisation
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        None => None,
        Some(raw) => Some(OrgId(raw.parse().map_err(|_| {
            AppError::invalid("organisation", "Choose an organisation from the list.")
        })?)),
    };
    crate::server::usecase::people::invite(&st, &who, &email, role, org, owner.is_some()).await
}

/// Withdraws an invitation.
#[server(endpoint = "people/revoke")]
pub async fn revoke_invitation(id: i64) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::people::revoke_invitation(&st, &who, id).await
}

/// Changes an account: `disable`, `enable`, `owner`, `not_owner`, `staff` or `admin`.
#[server(endpoint = "people/change")]
pub async fn change_person(user: i64, change: String) -> Result<(), AppError> {
    use crate::server::usecase::people::{self, Change};
    let (st, who) = crate::server::state::caller().await?;
    let change = Change::parse(&change)
        .ok_or_else(|| AppError::invalid("change", "Choose one of the actions offered."))?;
    people::change(&st, &who, crate::domain::ids::UserId(user), change).await
}

/// An invitation, by its token (no account needed).
#[server(endpoint = "people/invitation")]
pub async fn get_invitation(token: String) -> Result<InvitePageView, AppError> {
    use crate::server::state::state;
    let st = state()?;
    crate::server::usecase::people::invitation(&st, &token).await
}

/// Accepts an invitation with the password chosen, signs in and goes home.
#[server(endpoint = "people/accept")]
pub async fn accept_invitation(
    token: String,
    password: String,
    password_again: String,
) -> Result<(), AppError> {
    use crate::server::auth::session::ClientInfo;
    use crate::server::errors::internal;
    use crate::server::inbound::http::client_ip_of_request;
    use crate::server::state::{session, state};
    let st = state()?;
    let user =
        crate::server::usecase::people::accept_invitation(&st, &token, &password, &password_again)
            .await?;
    let client = client_ip_of_request(&st).await;
    let info = ClientInfo {
        address: client.map(|ip| ip.to_string()),
        agent: None,
    };
    session()
        .await?
        .sign_in(user, st.now(), &info)
        .await
        .map_err(internal)?;
    leptos_axum::redirect("/?welcome=1");
    Ok(())
}
