//! Signing in, creating accounts, and describing the signed-in user.

use crate::domain::account::{AccountFieldError, Email, OrgName, Password};
use crate::domain::actor::{Actor, Role};
use crate::domain::ids::UserId;
use crate::error::AppError;
use crate::server::db::{accounts, settings, DbError};
use crate::server::state::AppState;
use crate::ui::auth::api::{SessionInfo, SignedInUser};

/// Longest password input that is hashed at all; anything longer cannot match and is refused
/// before hashing, so a huge body cannot buy a long computation.
const MAX_PASSWORD_INPUT_BYTES: usize = 1024;

fn field_error(field: &str, err: AccountFieldError) -> AppError {
    AppError::invalid(field, err.to_string())
}

/// Checks an e-mail and password typed at sign-in; returns the user on success.
///
/// Rate limited per account key and per client address before any hashing. An unknown e-mail
/// and a wrong password give the same error after the same work.
pub async fn sign_in(
    st: &AppState,
    email_raw: &str,
    password: &str,
    client_addr: &str,
) -> Result<UserId, AppError> {
    let now = st.now();
    let account_key: String = email_raw
        .trim()
        .to_lowercase()
        .chars()
        .take(Email::MAX_LEN)
        .collect();
    let throttle = st.config.login_throttle;
    let failures = accounts::recent_login_failures(
        &st.db,
        &account_key,
        client_addr,
        throttle.window_start(now),
    )
    .await?;
    if let Err(retry_after_s) = throttle.check(&failures, now) {
        tracing::warn!(client_addr, "sign-in refused by rate limit");
        return Err(AppError::RateLimited { retry_after_s });
    }
    let email = Email::parse(email_raw).map_err(|e| field_error("email", e))?;
    if password.is_empty() {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    let user = accounts::find_user_by_email(&st.db, &email).await?;
    let matches = if password.len() > MAX_PASSWORD_INPUT_BYTES {
        false
    } else {
        st.hasher
            .verify(user.as_ref().map(|u| u.password_hash.as_str()), password)
            .await?
    };
    match user {
        Some(user) if matches => {
            accounts::clear_login_failures(&st.db, &account_key).await?;
            tracing::info!(user_id = user.id, "signed in");
            Ok(user.user_id())
        }
        _ => {
            accounts::record_login_failure(&st.db, &account_key, client_addr, now).await?;
            tracing::info!(client_addr, "sign-in failed");
            Err(AppError::BadCredentials)
        }
    }
}

/// Creates a user account (from the command line). Customers need an organisation, which is
/// created when new; staff and admins belong to the provider and take none.
pub async fn create_user(
    st: &AppState,
    email: &str,
    password: &str,
    role: Role,
    org_name: Option<&str>,
) -> Result<UserId, AppError> {
    let now = st.now();
    let email = Email::parse(email).map_err(|e| field_error("email", e))?;
    let password = Password::parse(password).map_err(|e| field_error("password", e))?;
    let org = match (role, org_name) {
        (Role::Customer, Some(name)) => {
            let name = OrgName::parse(name).map_err(|e| field_error("org", e))?;
            Some(accounts::ensure_organisation(&st.db, &name, now).await?)
        }
        (Role::Customer, None) => {
            return Err(AppError::invalid(
                "org",
                "A customer needs an organisation (--org NAME).",
            ))
        }
        (_, Some(_)) => {
            return Err(AppError::invalid(
                "org",
                "Staff and admins belong to the provider: leave out --org.",
            ))
        }
        (_, None) => None,
    };
    let hash = st.hasher.hash(&password).await?;
    match accounts::insert_user(&st.db, &email, &hash, role, org, now).await {
        Err(DbError::Duplicate) => Err(AppError::Conflict(format!(
            "An account for {email} already exists."
        ))),
        other => Ok(other?),
    }
}

/// The signed-in user as the navigation shows them, and whether the site runs on demo data.
pub async fn session_info(st: &AppState, actor: Option<&Actor>) -> Result<SessionInfo, AppError> {
    let demo = settings::get(&st.db, settings::DEMO_MODE).await?.as_deref() == Some("true");
    let user = match actor {
        None => None,
        Some(actor) => accounts::find_user(&st.db, actor.user_id)
            .await?
            .map(|row| SignedInUser {
                email: row.email,
                role: actor.role,
                org_name: row.organisation_name,
            }),
    };
    Ok(SessionInfo { user, demo })
}
