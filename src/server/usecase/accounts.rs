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

/// Where a right password leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordAccepted {
    /// The user is signed in.
    SignedIn(UserId),
    /// The user signs in with a second factor: their code comes next. The account's password
    /// streak is left as it was until a right code ends it.
    CodeDue(UserId),
}

impl PasswordAccepted {
    /// Whose password it was.
    pub fn user(self) -> UserId {
        match self {
            PasswordAccepted::SignedIn(user) | PasswordAccepted::CodeDue(user) => user,
        }
    }
}

/// The throttle's key for the client an attempt comes from: its address, IPv6 by /64;
/// `unknown` when the server cannot tell (a request from outside HTTP).
pub(crate) fn client_key(client: Option<IpAddr>) -> String {
    client.map_or_else(|| "unknown".to_owned(), address_key)
}

/// Reserves an attempt under `keys` (see `db::throttle::check_and_reserve`), or says how long to
/// wait. `what` names the attempt in the log.
pub(crate) async fn reserve_attempt(
    st: &AppState,
    keys: &AttemptKeys,
    what: &'static str,
) -> Result<(), AppError> {
    let throttled =
        match throttle::check_and_reserve(&st.db, &st.config.login_throttle, keys, st.now()).await?
        {
            Ok(()) => return Ok(()),
            Err(throttled) => throttled,
        };
    let limit = match throttled.by {
        ThrottledBy::Account => "account",
        ThrottledBy::Address => "address",
    };
    tracing::warn!(
        limit,
        attempt = what,
        client = %keys.address,
        retry_after_s = throttled.retry_after_s,
        "attempt throttled"
    );
    Err(AppError::RateLimited {
        retry_after_s: throttled.retry_after_s,
    })
}

/// Checks a password typed for `email_raw`, throttled per account key and per client address
/// (IPv6 by /64) with a growing delay: the attempt is reserved before any hashing, so parallel
/// attempts cannot pass the limit together. An unknown e-mail, a disabled account and a wrong
/// password give the same error after the same work. On success the attempt is still reserved:
/// the caller settles it with `throttle::succeeded` or `throttle::release`.
async fn check_password(
    st: &AppState,
    email: &Email,
    password: &str,
    keys: &AttemptKeys,
) -> Result<accounts::UserRow, AppError> {
    reserve_attempt(st, keys, "password").await?;
    let user = accounts::find_user_by_email(&st.db, email).await?;
    let matches = if password.len() > MAX_PASSWORD_INPUT_BYTES {
        false
    } else {
        let stored = user.as_ref().map(|u| u.password_hash.as_str());
        match st.hasher.verify(stored, password).await {
            Ok(matches) => matches,
            Err(e) => {
                // Not the person's failure: the attempt is given back.
                throttle::release(&st.db, keys).await?;
                return Err(e.into());
            }
        }
    };
    match user {
        Some(user) if matches && user.disabled_at.is_none() => Ok(user),
        _ => {
            tracing::info!(client = %keys.address, "password refused");
            Err(AppError::BadCredentials)
        }
    }
}

/// Checks an e-mail and password typed at sign-in (see [`check_password`] for the throttle).
///
/// For an account with a second factor a right password signs nobody in: the attempt is given
/// back, but the account's streak of failures stays until a right code ends it, so that
/// alternating a right password with wrong codes never resets a limit.
pub async fn sign_in(
    st: &AppState,
    email_raw: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<PasswordAccepted, AppError> {
    let email = Email::parse(email_raw).map_err(|e| field_error("email", e))?;
    if password.is_empty() {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    let keys = AttemptKeys::new(email.as_str(), &client_key(client));
    let user = check_password(st, &email, password, &keys).await?;
    if user.totp_enabled_at.is_some() {
        throttle::release(&st.db, &keys).await?;
        tracing::info!(user_id = user.id, "password accepted; code due");
        return Ok(PasswordAccepted::CodeDue(user.user_id()));
    }
    throttle::succeeded(&st.db, &keys).await?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(PasswordAccepted::SignedIn(user.user_id()))
}

/// Asks a signed-in user for their password again before a change to how they sign in (the
/// password itself, the second factor), throttled like signing in but on keys of their own: their
/// account's password streak, and in place of the address one of the signed-in user (who may
/// share an address with colleagues). One user's mistakes never slow another's. A wrong
/// password is an error on `field`.
pub async fn confirm_password(
    st: &AppState,
    who: &Actor,
    password: &str,
    field: &str,
) -> Result<(), AppError> {
    let row = accounts::find_user(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if password.is_empty() {
        return Err(AppError::invalid(field, "Enter your password."));
    }
    let email = Email::parse(&row.email).map_err(crate::server::errors::internal)?;
    let keys = AttemptKeys::signed_in(email.as_str(), who.user_id);
    match check_password(st, &email, password, &keys).await {
        Ok(_) => {
            throttle::succeeded(&st.db, &keys).await?;
            Ok(())
        }
        Err(AppError::BadCredentials) => Err(AppError::invalid(
            field,
            "That is not your current password.",
        )),
        Err(other) => Err(other),
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
        .filter_map(|row| {
            let data = serde_json::from_str(&row.data).unwrap_or_default();
            let info = stored_session_info(&data);
            // A half-finished sign-in (a code is due) is ended with the others, not listed.
            info.signed_in_at?;
            Some(SessionView {
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
            })
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
    let mut tx = st.db.begin_write().await?;
    let ended = db_sessions::delete_all_for_user(&mut tx, who.user_id).await?;
    tx.commit().await?;
    tracing::info!(user_id = who.user_id.0, ended, "signed out everywhere");
    Ok(ended)
}
