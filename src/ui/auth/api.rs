//! Server functions and view types for signing in and out.

use crate::domain::actor::Role;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in user as the navigation shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    /// E-mail address (sign-in name).
    pub email: String,
    /// Role.
    pub role: Role,
    /// The customer's organisation.
    pub org_name: Option<String>,
}

/// Who is signed in, if anyone, and whether the site runs on demo data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The signed-in user.
    pub user: Option<SignedInUser>,
    /// Whether the database holds demo data.
    pub demo: bool,
}

/// The current session.
#[server(endpoint = "auth/session_info")]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    use crate::server::state::{actor, state};
    use crate::server::usecase::accounts;
    let st = state()?;
    let who = match actor(&st).await {
        Ok(who) => Some(who),
        Err(AppError::NotSignedIn) => None,
        Err(other) => return Err(other),
    };
    accounts::session_info(&st, who.as_ref()).await
}

/// Signs in with e-mail and password, starting a new session, and goes to the home page.
#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::server::errors::internal;
    use crate::server::state::{session, state};
    use crate::server::usecase::accounts;
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let st = state()?;
    let client_addr = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let user = accounts::sign_in(&st, &email, &password, &client_addr).await?;
    session()
        .await?
        .sign_in(user, st.now())
        .await
        .map_err(internal)?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Signs out: deletes the session on the server and goes to the sign-in page.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::errors::internal;
    use crate::server::state::session;
    session().await?.sign_out().await.map_err(internal)?;
    leptos_axum::redirect("/login?signed_out=1");
    Ok(())
}
