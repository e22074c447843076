//! Two-factor sign-in: setting it up (a QR code and the key typed by hand, confirmed by a first
//! code; ten one-time recovery codes shown once), the second step of signing in (a code once
//! only, or a recovery code, throttled like passwords), new recovery codes, turning it off where
//! it is optional, and an owner requiring it of their organisation.

use crate::domain::actor::{Actor, Role};
use crate::domain::throttle::{address_key, ThrottledBy};
use crate::error::AppError;
use crate::server::auth::two_factor as totp;
use crate::server::db::audit::{self, AuditEvent};
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

async fn log(st: &AppState, actor: &str, action: &str, detail: &str) -> Result<(), AppError> {
    let mut tx = st.db.begin_write().await?;
    audit::append_provider(
        &mut tx,
        &st.audit_keys,
        st.now(),
        AuditEvent {
            actor,
            action,
            detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
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

/// Confirms the setup with a first code; returns the recovery codes, shown this once.
pub async fn confirm(st: &AppState, who: &Actor, code: &str) -> Result<Vec<String>, AppError> {
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
    let now = st.now();
    let step = totp::matching_step(&secret, code, now.unix_timestamp()).ok_or_else(wrong_code)?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let mut tx = st.db.begin_write().await?;
    if !store::enable(&mut tx, who.user_id, step as i64, now).await? {
        return Err(AppError::Conflict(
            "Two-factor sign-in is on already.".into(),
        ));
    }
    store::replace_recovery_codes(&mut tx, who.user_id, &hashes, now).await?;
    tx.commit().await?;
    let label = super::notices::actor_label(st, who).await?;
    log(
        st,
        &label,
        "two_factor_enabled",
        "Two-factor sign-in turned on.",
    )
    .await?;
    Ok(codes)
}

/// Checks a code (or a recovery code) of `user`: a TOTP code is accepted once, within a step
/// either side of now; a recovery code once ever.
async fn check_code(
    st: &AppState,
    user: crate::domain::ids::UserId,
    code: &str,
) -> Result<(), AppError> {
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

/// The second step of signing in: throttled with the password attempts of the same account and
/// address (a wrong code counts as a failed sign-in).
pub async fn verify_sign_in(
    st: &AppState,
    user: crate::domain::ids::UserId,
    code: &str,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    let row = accounts::find_user(&st.db, user)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if row.disabled_at.is_some() {
        return Err(AppError::NotSignedIn);
    }
    let address = client.map_or_else(|| "unknown".to_owned(), address_key);
    let keys = AttemptKeys::new(&row.email, &address);
    let now = st.now();
    if let Err(throttled) =
        throttle::check_and_reserve(&st.db, &st.config.login_throttle, &keys, now).await?
    {
        tracing::warn!(
            limit = match throttled.by {
                ThrottledBy::Account => "account",
                ThrottledBy::Address => "address",
            },
            "second-factor attempt throttled"
        );
        return Err(AppError::RateLimited {
            retry_after_s: throttled.retry_after_s,
        });
    }
    match check_code(st, user, code).await {
        Ok(()) => {
            throttle::succeeded(&st.db, &keys).await?;
            Ok(())
        }
        Err(e) => {
            tracing::info!(user_id = user.0, "second factor refused");
            Err(e)
        }
    }
}

/// New recovery codes for a code that works now; the old ones stop working.
pub async fn renew_recovery_codes(
    st: &AppState,
    who: &Actor,
    code: &str,
) -> Result<Vec<String>, AppError> {
    check_code(st, who.user_id, code).await?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let mut tx = st.db.begin_write().await?;
    store::replace_recovery_codes(&mut tx, who.user_id, &hashes, st.now()).await?;
    tx.commit().await?;
    let label = super::notices::actor_label(st, who).await?;
    log(
        st,
        &label,
        "recovery_codes_renewed",
        "New recovery codes made; the old ones no longer work.",
    )
    .await?;
    Ok(codes)
}

/// Turns two-factor sign-in off, for accounts where it is optional, with a code that works now.
pub async fn turn_off(st: &AppState, who: &Actor, code: &str) -> Result<(), AppError> {
    let user = accounts::find_user(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    if user.needs_second_factor() {
        return Err(AppError::Conflict(
            "Your account needs two-factor sign-in; it cannot be turned off.".into(),
        ));
    }
    check_code(st, who.user_id, code).await?;
    let mut tx = st.db.begin_write().await?;
    store::disable(&mut tx, who.user_id).await?;
    tx.commit().await?;
    let label = super::notices::actor_label(st, who).await?;
    log(
        st,
        &label,
        "two_factor_disabled",
        "Two-factor sign-in turned off.",
    )
    .await
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
    let org = match (who.role, user.org_owner, who.org_id) {
        (Role::Customer, true, Some(org)) => org,
        _ => return Err(AppError::Forbidden),
    };
    if required && user.totp_enabled_at.is_none() {
        return Err(AppError::Conflict(
            "Turn on two-factor sign-in for your own account first.".into(),
        ));
    }
    store::set_required(&st.db, org, required).await?;
    let label = super::notices::actor_label(st, who).await?;
    log(
        st,
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
    .await
}
