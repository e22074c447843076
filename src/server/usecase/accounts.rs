//! Signing in, creating accounts, and describing the signed-in user.

use crate::domain::account::{AccountFieldError, Email, OrgName, Password};
use crate::domain::actor::{Actor, Role};
use crate::domain::ids::UserId;
use crate::domain::throttle::{address_key, ThrottledBy};
use crate::error::AppError;
use crate::server::db::sessions as db_sessions;
use crate::server::db::throttle::{self, AttemptKeys};
use crate::server::db::{accounts, DbError};
use crate::server::state::AppState;
use crate::views::auth::{SessionView, SessionsView};
use std::net::IpAddr;

/// Longest password input that is hashed at all; anything longer cannot match and is refused
/// before hashing, so a huge body cannot buy a long computation.
const MAX_PASSWORD_INPUT_BYTES: usize = 1024;

fn field_error(field: &str, err: AccountFieldError) -> AppError {
    AppError::invalid(field, err.to_string())
}

/// Checks an e-mail and password typed at sign-in; returns the user on success.
///
/// Throttled per account key and per client address (IPv6 by /64) with a growing delay: the
/// attempt is reserved before any hashing, so parallel attempts cannot pass the limit together.
/// An unknown e-mail and a wrong password give the same error after the same work.
pub async fn sign_in(
    st: &AppState,
    email_raw: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<UserId, AppError> {
    let now = st.now();
    let email = Email::parse(email_raw).map_err(|e| field_error("email", e))?;
    if password.is_empty() {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    let address = client.map_or_else(|| "unknown".to_owned(), address_key);
    let keys = AttemptKeys::new(email.as_str(), &address);
    if let Err(throttled) =
        throttle::check_and_reserve(&st.db, &st.config.login_throttle, &keys, now).await?
    {
        let limit = match throttled.by {
            ThrottledBy::Account => "account",
            ThrottledBy::Address => "address",
        };
        tracing::warn!(
            limit,
            client = %address,
            retry_after_s = throttled.retry_after_s,
            "sign-in throttled"
        );
        return Err(AppError::RateLimited {
            retry_after_s: throttled.retry_after_s,
        });
    }
    let user = accounts::find_user_by_email(&st.db, &email).await?;
    let matches = if password.len() > MAX_PASSWORD_INPUT_BYTES {
        false
    } else {
        let stored = user.as_ref().map(|u| u.password_hash.as_str());
        match st.hasher.verify(stored, password).await {
            Ok(matches) => matches,
            Err(e) => {
                // Not the person's failure: the attempt is given back.
                throttle::release(&st.db, &keys).await?;
                return Err(e.into());
            }
        }
    };
    match user {
        // A disabled account is refused like a wrong password, after the same work.
        Some(user) if matches && user.disabled_at.is_none() => {
            throttle::succeeded(&st.db, &keys).await?;
            tracing::info!(user_id = user.id, "signed in");
            Ok(user.user_id())
        }
        _ => {
            tracing::info!(client = %address, "sign-in failed");
            Err(AppError::BadCredentials)
        }
    }
}

/// Whether the user signs in with a second factor (a code after the password).
pub async fn second_factor_on(st: &AppState, user: UserId) -> Result<bool, AppError> {
    Ok(accounts::find_user(&st.db, user)
        .await?
        .is_some_and(|u| u.totp_enabled_at.is_some()))
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

/// The handle that names a session on the sessions page: a digest of its id, so that the page
/// never carries the id itself (which is the credential).
fn session_handle(id: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::domain::audit::to_hex(&Sha256::digest(id.as_bytes())[..12])
}

/// The caller's live sessions, the current one (`current_id`) first.
pub async fn sessions(
    st: &AppState,
    who: &Actor,
    current_id: Option<&str>,
) -> Result<SessionsView, AppError> {
    use crate::domain::session::describe_user_agent;
    use crate::server::auth::session::stored_session_info;
    let rows = db_sessions::for_user(&st.db, who.user_id, st.now()).await?;
    let mut sessions: Vec<SessionView> = rows
        .into_iter()
        .map(|row| {
            let data = serde_json::from_str(&row.data).unwrap_or_default();
            let info = stored_session_info(&data);
            SessionView {
                handle: session_handle(&row.id),
                signed_in_text: info
                    .signed_in_at
                    .map(|t| who.zone.show(t))
                    .unwrap_or_else(|| "unknown".into()),
                last_active_text: info
                    .renewed_at
                    .or(info.signed_in_at)
                    .map(|t| who.zone.show(t))
                    .unwrap_or_else(|| "unknown".into()),
                address: info.client.address.unwrap_or_else(|| "unknown".into()),
                browser: describe_user_agent(info.client.agent.as_deref().unwrap_or_default()),
                current: Some(row.id.as_str()) == current_id,
            }
        })
        .collect();
    sessions.sort_by_key(|s| !s.current);
    Ok(SessionsView { sessions })
}

/// Ends one of the caller's sessions, named by its handle. Another user's session, or one that
/// has ended already, is not found.
pub async fn end_session(st: &AppState, who: &Actor, handle: &str) -> Result<(), AppError> {
    let rows = db_sessions::for_user(&st.db, who.user_id, st.now()).await?;
    let row = rows
        .iter()
        .find(|row| session_handle(&row.id) == handle)
        .ok_or(AppError::NotFound)?;
    if !db_sessions::delete_for_user(&st.db, who.user_id, &row.id).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(user_id = who.user_id.0, "a session was ended by its user");
    Ok(())
}

/// Ends every session of the caller, this one included ("sign out everywhere").
pub async fn end_all_sessions(st: &AppState, who: &Actor) -> Result<u64, AppError> {
    let ended = db_sessions::delete_all_for_user(&st.db, who.user_id).await?;
    tracing::info!(user_id = who.user_id.0, ended, "signed out everywhere");
    Ok(ended)
}
