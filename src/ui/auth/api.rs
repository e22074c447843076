//! Server functions for signing in and out.

use crate::error::AppError;
use leptos::prelude::*;

/// Signs in with e-mail and password, starting a new session, and goes on to `next` (a path of
/// this site, such as the notice a mail linked to) or the home page.
#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::session::ClientInfo;
    use crate::server::errors::internal;
    use crate::server::inbound::http::client_ip_of_request;
    use crate::server::state::{session, state};
    use crate::server::usecase::accounts;
    let st = state()?;
    let client = client_ip_of_request(&st).await;
    let agent = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| {
            h.get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
    let next = crate::domain::session::after_sign_in(next.as_deref());
    let session = session().await?;
    let user = match accounts::sign_in(&st, &email, &password, client).await? {
        accounts::PasswordAccepted::SignedIn(user) => user,
        accounts::PasswordAccepted::CodeDue(user) => {
            // The password was right; the code comes next, on its own page.
            session
                .start_second_factor(user, st.now(), &next)
                .await
                .map_err(internal)?;
            leptos_axum::redirect("/login/code");
            return Ok(());
        }
    };
    let info = ClientInfo {
        address: client.map(|ip| ip.to_string()),
        agent,
    };
    session
        .sign_in(user, st.now(), &info)
        .await
        .map_err(internal)?;
    leptos_axum::redirect(&next);
    Ok(())
}

/// The second step of signing in: a code from the authenticator app (or a recovery code) for
/// the account whose password was right a moment ago; then on to where they were going.
#[server(endpoint = "auth/code")]
pub async fn login_code(code: String) -> Result<(), AppError> {
    use crate::server::auth::session::ClientInfo;
    use crate::server::errors::internal;
    use crate::server::inbound::http::client_ip_of_request;
    use crate::server::state::{session, state};
    let st = state()?;
    let session = session().await?;
    let Some((user, next)) = session
        .pending_second_factor(st.now())
        .await
        .map_err(internal)?
    else {
        return Err(AppError::Conflict(
            "Your sign-in waited too long for its code: enter your password again.".into(),
        ));
    };
    let client = client_ip_of_request(&st).await;
    match crate::server::usecase::two_factor::verify_sign_in(&st, user, &code, client).await {
        Ok(()) => {}
        Err(wrong @ AppError::Invalid { .. }) => {
            // A few wrong codes end the half-finished sign-in: the password comes first again.
            if session.count_wrong_code().await.map_err(internal)? {
                return Err(AppError::Conflict(
                    "That code was wrong too many times: sign in again with your password.".into(),
                ));
            }
            return Err(wrong);
        }
        Err(other) => return Err(other),
    }
    let agent = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| {
            h.get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
    let info = ClientInfo {
        address: client.map(|ip| ip.to_string()),
        agent,
    };
    session
        .sign_in(user, st.now(), &info)
        .await
        .map_err(internal)?;
    leptos_axum::redirect(&next);
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
