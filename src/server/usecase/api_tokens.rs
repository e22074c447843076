//! API tokens for the provider's own systems: admins make them (in the admin pages or with
//! `portal token create`), each with its scopes, shown once; they revoke them; and a request to
//! the REST API is checked here: a live token, of an admin who is still an active admin, with
//! the scope the endpoint needs.

use super::audit::record_provider;
use crate::domain::actor::{Actor, Role};
use crate::domain::api_token::{
    looks_like_token, parse_scopes, scopes_text, ApiScope, TOKEN_PREFIX,
};
use crate::domain::audit::to_hex;
use crate::error::AppError;
use crate::server::db::{accounts, api_tokens as store};
use crate::server::state::AppState;
use crate::views::admin::{TokenCreated, TokenView};
use sha2::{Digest, Sha256};

fn hash(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

/// Makes a token acting for the admin `who`; returns it, to be shown once.
pub async fn create(
    st: &AppState,
    who: &Actor,
    name: &str,
    scopes: &str,
) -> Result<TokenCreated, AppError> {
    let admin = who.require_admin()?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "name",
            "Name the token after the system that uses it (up to 100 characters).",
        ));
    }
    let scopes = parse_scopes(scopes).map_err(|m| AppError::invalid("scopes", m))?;
    let token = format!("{TOKEN_PREFIX}{}", to_hex(&rand::random::<[u8; 32]>()));
    let now = st.now();
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let id = store::insert(
        &mut tx,
        admin,
        name,
        &hash(&token),
        &scopes_text(&scopes),
        who.user_id,
        now,
    )
    .await?;
    record_provider(
        st,
        &mut tx,
        &label,
        "api_token_created",
        &format!(
            "API token #{id} \"{name}\" made with {}.",
            scopes_text(&scopes)
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(TokenCreated {
        id,
        name: name.to_owned(),
        token,
    })
}

/// Every token (admins).
pub async fn list(st: &AppState, who: &Actor) -> Result<Vec<TokenView>, AppError> {
    let admin = who.require_admin()?;
    Ok(store::list(&st.db, admin)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            scopes: t.scopes,
            acts_for: t.created_by_email,
            created_text: who.zone.show(t.created_at),
            last_used_text: t.last_used_at.map(|t| who.zone.show(t)),
            revoked_text: t.revoked_at.map(|t| who.zone.show(t)),
        })
        .collect())
}

/// Revokes a token (admins); it stops working at once.
pub async fn revoke(st: &AppState, who: &Actor, id: i64) -> Result<(), AppError> {
    let admin = who.require_admin()?;
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    if !store::revoke(&mut tx, admin, id, st.now()).await? {
        return Err(AppError::Conflict(
            "This token is revoked already, or does not exist.".into(),
        ));
    }
    record_provider(
        st,
        &mut tx,
        &label,
        "api_token_revoked",
        &format!("API token #{id} revoked."),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A request's caller: the admin a token acts for, and how the audit log names the token.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    /// The admin the token acts for.
    pub actor: Actor,
    /// "API token #3 "billing sync" (admin@…)".
    pub label: String,
}

/// Why an API request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiAuthError {
    /// No token, not a token, an unknown or revoked one, or one whose admin is gone (401).
    #[error("Send a valid API token: Authorization: Bearer apt_…")]
    Unauthenticated,
    /// A live token without the scope the endpoint needs (403).
    #[error("This token may not do that: it needs the scope {0}.")]
    MissingScope(&'static str),
    /// The database did not answer.
    #[error(transparent)]
    App(#[from] AppError),
}

/// Checks the `Authorization` header's bearer token for `scope`.
pub async fn authenticate(
    st: &AppState,
    authorization: Option<&str>,
    scope: ApiScope,
) -> Result<ApiCaller, ApiAuthError> {
    let token = authorization
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| looks_like_token(t))
        .ok_or(ApiAuthError::Unauthenticated)?;
    let row = store::by_hash(&st.db, &hash(token))
        .await
        .map_err(AppError::from)?
        .filter(|t| t.revoked_at.is_none())
        .ok_or(ApiAuthError::Unauthenticated)?;
    let user = accounts::find_user(&st.db, crate::domain::ids::UserId(row.created_by))
        .await
        .map_err(AppError::from)?
        .filter(|u| u.disabled_at.is_none() && u.role == Role::Admin.as_str())
        .ok_or(ApiAuthError::Unauthenticated)?;
    let scopes = parse_scopes(&row.scopes).map_err(crate::server::errors::internal)?;
    if !scopes.contains(&scope) {
        return Err(ApiAuthError::MissingScope(scope.as_str()));
    }
    store::touch(&st.db, row.id, st.now())
        .await
        .map_err(AppError::from)?;
    Ok(ApiCaller {
        actor: Actor {
            user_id: user.user_id(),
            role: Role::Admin,
            org_id: None,
            zone: user.zone(),
        },
        label: format!("API token #{} \"{}\" ({})", row.id, row.name, user.email),
    })
}
