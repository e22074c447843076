//! Two-factor sign-in: setting it up (a QR code and the key typed by hand, confirmed by a first
//! code; ten one-time recovery codes shown once), the second step of signing in (a code once
//! only, or a recovery code, throttled like passwords), new recovery codes, turning it off where
//! it is optional, and an owner requiring it of their organisation.

use super::accounts::{client_key, confirm_password, reserve_attempt};
use super::audit::record_provider;
use crate::domain::actor::{Actor, Role};
use crate::domain::ids::UserId;
use crate::error::AppError;
use crate::server::auth::two_factor as totp;
use crate::server::db::throttle::{self, AttemptKeys};
use crate::server::db::{accounts, two_factor as store};
use crate::server::state::AppState;
use crate::views::auth::{TwoFactorSetup, TwoFactorView};
use std::net::IpAddr;

fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "That code is not right, or was used already. Codes change every 30 seconds: type the one your app shows now.",
    )
}

/// Reserves a code attempt of `user` from `client`: codes have a streak of their own per user
/// (apart from the password's), and count against the client's address like passwords.
async fn reserve_code(
    st: &AppState,
    user: UserId,
    client: Option<IpAddr>,
) -> Result<AttemptKeys, AppError> {
    let keys = AttemptKeys::second_factor(user, &client_key(client));
    reserve_attempt(st, &keys, "code").await?;
    Ok(keys)
}

/// Settles a reserved code attempt with its outcome: a right code ends the codes' streak, a
/// wrong one (an error on the field) stays counted, and anything else (the server's own failure,
/// a state that changed) is given back.
async fn settle_code<T>(
    st: &AppState,
    keys: &AttemptKeys,
    outcome: Result<T, AppError>,
) -> Result<T, AppError> {
    match &outcome {
        Ok(_) => throttle::succeeded(&st.db, keys).await?,
        Err(AppError::Invalid { .. }) => {}
        Err(_) => throttle::release(&st.db, keys).await?,
    }
    outcome
}

/// The caller's second factor: on, or the setup (a secret waiting for its first code, made now
/// if there is none yet, so that a reload shows the same QR code).
pub async fn status(st: &AppState, who: &Actor) -> Result<TwoFactorView, AppError> {
    let user = accounts::find_user(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let state = store::state(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let enabled = state.totp_enabled_at.is_some();
    let setup = if enabled {
        None
    } else {
        let secret = match state
            .totp_secret
            .as_deref()
            .and_then(|s| totp::open(&st.audit_keys, who.user_id, s))
        {
            Some(secret) => secret,
            None => {
                let secret = totp::new_secret();
                store::set_pending_secret(
                    &st.db,
                    who.user_id,
                    &totp::seal(&st.audit_keys, who.user_id, &secret),
                )
                .await?;
                secret
            }
        };
        let url = totp::otpauth_url(&secret, &user.email);
        Some(TwoFactorSetup {
            qr_svg: totp::qr_svg(&url),
            key: totp::base32(&secret)
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
        })
    };
    let required = user.needs_second_factor();
    Ok(TwoFactorView {
        enabled,
        setup,
        recovery_left: state.recovery_left,
        required,
        owner_of: if who.role == Role::Customer && user.org_owner {
            user.organisation_name
                .clone()
                .map(|name| (name, state.required_by_org))
        } else {
            None
        },
    })
}

/// Confirms the setup with the password and a first code (both throttled like signing in);
/// returns the recovery codes, shown this once.
pub async fn confirm(
    st: &AppState,
    who: &Actor,
    password: &str,
    code: &str,
    client: Option<IpAddr>,
) -> Result<Vec<String>, AppError> {
    let state = store::state(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if state.totp_enabled_at.is_some() {
        return Err(AppError::Conflict(
            "Two-factor sign-in is on already.".into(),
        ));
    }
    let secret = state
        .totp_secret
        .as_deref()
        .and_then(|s| totp::open(&st.audit_keys, who.user_id, s))
        .ok_or_else(|| AppError::Conflict("Reload the page to get a new QR code.".into()))?;
    confirm_password(st, who, password, "password").await?;
    let now = st.now();
    let keys = reserve_code(st, who.user_id, client).await?;
    let step = settle_code(
        st,
        &keys,
        totp::matching_step(&secret, code, now.unix_timestamp()).ok_or_else(wrong_code),
    )
    .await?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    if !store::enable(&mut tx, who.user_id, step as i64, now).await? {
        return Err(AppError::Conflict(
            "Two-factor sign-in is on already.".into(),
        ));
    }
    store::replace_recovery_codes(&mut tx, who.user_id, &hashes, now).await?;
    record_provider(
        st,
        &mut tx,
        &label,
        "two_factor_enabled",
        "Two-factor sign-in turned on.",
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Checks a code (or a recovery code) of `user`: a TOTP code is accepted once, within a step
/// either side of now; a recovery code once ever.
async fn check_code(st: &AppState, user: UserId, code: &str) -> Result<(), AppError> {
    let state = store::state(&st.db, user)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if state.totp_enabled_at.is_none() {
        return Err(AppError::Conflict("Two-factor sign-in is not on.".into()));
    }
    let now = st.now();
    if totp::looks_like_recovery_code(code) {
        if store::use_recovery_code(&st.db, user, &totp::recovery_hash(code), now).await? {
            return Ok(());
        }
        return Err(wrong_code());
    }
    let secret = state
        .totp_secret
        .as_deref()
        .and_then(|s| totp::open(&st.audit_keys, user, s))
        .ok_or_else(|| {
            crate::server::errors::internal("a TOTP secret does not open with the key file")
        })?;
    let step = totp::matching_step(&secret, code, now.unix_timestamp()).ok_or_else(wrong_code)?;
    if store::claim_step(&st.db, user, step as i64).await? {
        Ok(())
    } else {
        Err(wrong_code())
    }
}

/// Checks a code of `user` typed by a client, throttled: the codes' own streak per user and the
/// client's address (see [`reserve_code`]).
async fn check_code_throttled(
    st: &AppState,
    user: UserId,
    code: &str,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    let keys = reserve_code(st, user, client).await?;
    let outcome = check_code(st, user, code).await;
    settle_code(st, &keys, outcome).await
}

/// The second step of signing in. A right code ends both the codes' streak and the password's
/// (which a right password alone leaves standing); a wrong one counts on the codes' streak,
/// which no password resets.
pub async fn verify_sign_in(
    st: &AppState,
    user: UserId,
    code: &str,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    let row = accounts::find_user(&st.db, user)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if row.disabled_at.is_some() {
        return Err(AppError::NotSignedIn);
    }
    match check_code_throttled(st, user, code, client).await {
        Ok(()) => {
            throttle::forget(&st.db, &throttle::account_key(&row.email)).await?;
            Ok(())
        }
        Err(e) => {
            tracing::info!(user_id = user.0, "second factor refused");
            Err(e)
        }
    }
}

/// New recovery codes, with the password and a code that works now (both throttled like
/// signing in); the old ones stop working.
pub async fn renew_recovery_codes(
    st: &AppState,
    who: &Actor,
    password: &str,
    code: &str,
    client: Option<IpAddr>,
) -> Result<Vec<String>, AppError> {
    confirm_password(st, who, password, "password").await?;
    check_code_throttled(st, who.user_id, code, client).await?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    store::replace_recovery_codes(&mut tx, who.user_id, &hashes, st.now()).await?;
    record_provider(
        st,
        &mut tx,
        &label,
        "recovery_codes_renewed",
        "New recovery codes made; the old ones no longer work.",
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns two-factor sign-in off, for accounts where it is optional, with the password and a
/// code that works now (both throttled like signing in).
pub async fn turn_off(
    st: &AppState,
    who: &Actor,
    password: &str,
    code: &str,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    let user = accounts::find_user(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if user.needs_second_factor() {
        return Err(AppError::Conflict(
            "Your account needs two-factor sign-in; it cannot be turned off.".into(),
        ));
    }
    confirm_password(st, who, password, "password").await?;
    check_code_throttled(st, who.user_id, code, client).await?;
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    store::disable(&mut tx, who.user_id).await?;
    record_provider(
        st,
        &mut tx,
        &label,
        "two_factor_disabled",
        "Two-factor sign-in turned off.",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An organisation's owner requires (or stops requiring) a second factor of its members.
pub async fn set_org_requirement(
    st: &AppState,
    who: &Actor,
    required: bool,
) -> Result<(), AppError> {
    let user = accounts::find_user(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let org = who.customer_scope()?.id();
    if !user.org_owner {
        return Err(AppError::Forbidden);
    }
    if required && user.totp_enabled_at.is_none() {
        return Err(AppError::Conflict(
            "Turn on two-factor sign-in for your own account first.".into(),
        ));
    }
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    store::set_required(&mut tx, org, required).await?;
    record_provider(
        st,
        &mut tx,
        &label,
        "two_factor_requirement",
        &format!(
            "{} {} two-factor sign-in of its members.",
            user.organisation_name.unwrap_or_default(),
            if required {
                "requires"
            } else {
                "no longer requires"
            }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
