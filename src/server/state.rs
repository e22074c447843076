//! `AppState`, shared by every request, and the two helpers every server function starts with:
//! [`state`] and [`actor`] ("who is calling").

use super::auth::password::PasswordHasher;
use super::auth::session::TypedSession;
use super::config::Config;
use super::db::{accounts, Db};
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::views::auth::{SessionInfo, SignedInUser};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use time::OffsetDateTime;

/// Everything a request handler needs, behind one shared allocation, read through it (`st.db`,
/// `st.config`). The layers and Leptos clone the state dozens of times per request (tower clones
/// the layer stack, and each layer holds a state), so a clone is one reference count.
#[derive(Clone, Debug)]
pub struct AppState(Arc<AppStateInner>);

/// The parts of an [`AppState`].
#[derive(Debug)]
pub struct AppStateInner {
    /// Leptos' own options (site root, output name).
    pub leptos_options: LeptosOptions,
    /// The database.
    pub db: Db,
    /// The configuration.
    pub config: Arc<Config>,
    /// The password hasher (bounded, off the executor).
    pub hasher: PasswordHasher,
    /// Evidence files on disk.
    pub evidence: super::storage::EvidenceStore,
    /// The keys that seal audit trails (from `PORTAL_AUDIT_KEY_FILE`, never the database).
    pub audit_keys: Arc<crate::domain::audit::Keyring>,
    /// Stripe's API, when card payments are configured.
    pub stripe: Option<super::payments::stripe::StripeClient>,
    /// The settings as this process last read them.
    pub settings: Arc<super::db::settings::SettingsCache>,
    /// The names of the front end's files the pages link.
    pub assets: Arc<super::assets::AssetNames>,
    /// The clock every use case reads through [`AppState::now`].
    pub clock: Clock,
}

/// The portal's clock: the system's, moved forward by an offset that only tests set, so that
/// a test lets time pass without sleeping. Each state has its own.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// The time now: the system's, plus the offset.
    pub fn now(&self) -> OffsetDateTime {
        let offset = self
            .offset_seconds
            .load(std::sync::atomic::Ordering::SeqCst);
        OffsetDateTime::now_utc() + time::Duration::seconds(offset)
    }

    /// Moves the clock forward by `by` (whole seconds), for every holder of this clock.
    pub fn advance(&self, by: time::Duration) {
        self.offset_seconds
            .fetch_add(by.whole_seconds(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl AppState {
    /// The state made of `inner`.
    pub fn new(inner: AppStateInner) -> Self {
        Self(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The current time as the portal records it: UTC, whole seconds. Read once per use case.
    pub fn now(&self) -> OffsetDateTime {
        super::db::stored_time(self.clock.now())
    }
}

/// The application state, inside a server function or a page render.
pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| super::errors::internal("AppState missing from context"))
}

/// What a request reads once and shares between every server function and resource of its
/// render: the navigation and the page both ask who is calling, and both show the unread count.
/// [`identify_page_caller`] puts an empty one in each request's extensions (filled first, for a
/// page, with its caller), and the router provides it to the render; requests outside Leptos
/// read the database each time.
#[derive(Clone, Default)]
pub struct RequestIdentity {
    /// The signed-in user's row, by user id.
    user: RequestMemo<i64, Option<accounts::UserRow>>,
    /// The user's count of unread notifications, by user id.
    unread: RequestMemo<i64, i64>,
    /// Who holds the session, by session id: identified once, whether the navigation or the
    /// page asks first.
    caller: RequestMemo<tower_sessions::session::Id, Caller>,
}

/// The signed-in user as identified for one request, before the page's own second-factor rule.
#[derive(Clone)]
struct Caller {
    actor: Actor,
    /// The account needs a second factor it has not set up (a demo database excepted).
    second_factor_missing: bool,
}

/// One value per request, with the key it was computed for; concurrent asks for the same key
/// wait for the first to compute it.
struct RequestMemo<K, V>(Arc<tokio::sync::Mutex<Option<(K, V)>>>);

impl<K, V> Clone for RequestMemo<K, V> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<K, V> Default for RequestMemo<K, V> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<K: PartialEq, V: Clone> RequestMemo<K, V> {
    /// The value kept for `key`, or what `compute` returns (then kept).
    async fn get_or_compute<F>(&self, key: K, compute: F) -> Result<V, AppError>
    where
        F: std::future::Future<Output = Result<V, AppError>>,
    {
        let mut kept = self.0.lock().await;
        if let Some((_, value)) = kept.as_ref().filter(|(k, _)| *k == key) {
            return Ok(value.clone());
        }
        let value = compute.await?;
        *kept = Some((key, value.clone()));
        Ok(value)
    }

    /// Keeps `value` for `key` unless a value is kept already.
    async fn offer(&self, key: K, value: V) {
        let mut kept = self.0.lock().await;
        if kept.is_none() {
            *kept = Some((key, value));
        }
    }
}

/// The request's [`RequestIdentity`], inside a Leptos render or server function.
fn current_identity() -> Option<RequestIdentity> {
    leptos::prelude::use_context::<RequestIdentity>()
}

/// `compute`d once per request for `key`, kept in the memo that `memo` picks from the request's
/// `identity`; computed each time without one.
async fn once_per_request<V: Clone>(
    identity: Option<&RequestIdentity>,
    memo: fn(&RequestIdentity) -> &RequestMemo<i64, V>,
    key: i64,
    compute: impl std::future::Future<Output = Result<V, AppError>>,
) -> Result<V, AppError> {
    match identity {
        Some(identity) => memo(identity).get_or_compute(key, compute).await,
        None => compute.await,
    }
}

/// The row of user `id`: read once per request (see [`RequestIdentity`]).
pub async fn user_row(
    st: &AppState,
    id: crate::domain::ids::UserId,
) -> Result<Option<accounts::UserRow>, AppError> {
    user_row_in(st, id, current_identity().as_ref()).await
}

/// [`user_row`], kept in `identity`.
async fn user_row_in(
    st: &AppState,
    id: crate::domain::ids::UserId,
    identity: Option<&RequestIdentity>,
) -> Result<Option<accounts::UserRow>, AppError> {
    let read = async { Ok(accounts::find_user(&st.db, id).await?) };
    once_per_request(identity, |identity| &identity.user, id.0, read).await
}

/// The row of the user holding `session`: the one read with the session where it was, else
/// from the database; once per request, as [`user_row`]. The unread count read with the
/// session is kept for [`unread_notifications`] too.
async fn session_user_row(
    st: &AppState,
    session: &TypedSession,
    id: crate::domain::ids::UserId,
    identity: Option<&RequestIdentity>,
) -> Result<Option<accounts::UserRow>, AppError> {
    let read = async {
        match session.loaded_user(id).await {
            Some(row) => {
                if let (Some(unread), Some(identity)) = (session.loaded_unread().await, identity) {
                    identity.unread.offer(id.0, unread).await;
                }
                Ok(Some(row))
            }
            None => Ok(accounts::find_user(&st.db, id).await?),
        }
    };
    once_per_request(identity, |identity| &identity.user, id.0, read).await
}

/// How many of user `id`'s notifications are unread: counted once per request, as
/// [`user_row`] reads the user.
pub async fn unread_notifications(
    st: &AppState,
    id: crate::domain::ids::UserId,
) -> Result<i64, AppError> {
    unread_notifications_in(st, id, current_identity().as_ref()).await
}

/// [`unread_notifications`], kept in `identity`.
async fn unread_notifications_in(
    st: &AppState,
    id: crate::domain::ids::UserId,
    identity: Option<&RequestIdentity>,
) -> Result<i64, AppError> {
    let count = async { Ok(super::db::notifications::unread(&st.db, id).await?) };
    once_per_request(identity, |identity| &identity.unread, id.0, count).await
}

/// The session of the current request.
///
/// A page's resources run as tasks of their own, so one can outlive its request: when the client
/// goes away, the render is dropped and the request's parts with it. Such a task finds no
/// request here; nobody waits for its answer, so it is not logged as a server fault.
pub async fn session() -> Result<TypedSession, AppError> {
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|e| {
            if leptos::prelude::use_context::<axum::http::request::Parts>().is_none() {
                tracing::debug!("the request ended before its data was read (the client left)");
                AppError::Unavailable
            } else {
                super::errors::internal(format!("no session layer: {e}"))
            }
        })?;
    Ok(TypedSession(session))
}

/// Who is calling, even before they have set up a second factor their account needs: only
/// for the pages that set it up and for the navigation.
pub async fn actor_setting_up(st: &AppState) -> Result<Actor, AppError> {
    signed_in_actor(st, &session().await?, false, current_identity().as_ref()).await
}

/// Who is calling: the signed-in user with role and organisation, or `NotSignedIn`.
/// A session past its absolute limit, or whose user no longer exists or is disabled, is ended
/// here.
pub async fn actor(st: &AppState) -> Result<Actor, AppError> {
    actor_of(st, &session().await?).await
}

/// The state and who is calling: how a server function begins.
pub async fn caller() -> Result<(AppState, Actor), AppError> {
    let st = state()?;
    let who = actor(&st).await?;
    Ok((st, who))
}

/// Who holds `session` (for plain axum handlers, which have the session as an extractor).
/// Activity renews the session's idle limit (at most once a minute).
pub async fn actor_of(st: &AppState, session: &TypedSession) -> Result<Actor, AppError> {
    signed_in_actor(st, session, true, current_identity().as_ref()).await
}

/// The signed-in actor; with `second_factor`, one whose account needs a second factor it has not
/// set up is refused (`SecondFactorRequired`), except on a demo database, whose published
/// accounts keep working without one. Identified once per request and session (see
/// [`RequestIdentity`]); a refusal is not kept, so that it is decided afresh.
async fn signed_in_actor(
    st: &AppState,
    session: &TypedSession,
    second_factor: bool,
    identity: Option<&RequestIdentity>,
) -> Result<Actor, AppError> {
    let caller = match (session.0.id(), identity) {
        (Some(id), Some(memo)) => {
            memo.caller
                .get_or_compute(id, identify(st, session, identity))
                .await?
        }
        _ => identify(st, session, identity).await?,
    };
    if second_factor && caller.second_factor_missing {
        return Err(AppError::SecondFactorRequired);
    }
    Ok(caller.actor)
}

/// Reads who holds `session`: ends a session past its absolute limit or whose user is gone or
/// disabled, and renews its idle limit when due.
async fn identify(
    st: &AppState,
    session: &TypedSession,
    identity: Option<&RequestIdentity>,
) -> Result<Caller, AppError> {
    let Some(signed_in) = session.signed_in().await.map_err(super::errors::internal)? else {
        return Err(AppError::NotSignedIn);
    };
    let now = st.now();
    if st
        .config
        .session
        .absolute_limit_passed(signed_in.signed_in_at, now)
    {
        session.sign_out().await.map_err(super::errors::internal)?;
        return Err(AppError::NotSignedIn);
    }
    let Some(user) = session_user_row(st, session, signed_in.user_id, identity)
        .await?
        .filter(|u| u.disabled_at.is_none())
    else {
        session.sign_out().await.map_err(super::errors::internal)?;
        return Err(AppError::NotSignedIn);
    };
    session
        .renew_if_due(now)
        .await
        .map_err(super::errors::internal)?;
    let second_factor_missing = user.needs_second_factor()
        && user.totp_enabled_at.is_none()
        && !st.settings.demo_mode(&st.db).await?;
    Ok(Caller {
        actor: Actor {
            user_id: user.user_id(),
            role: user.role()?,
            org_id: user.org_id(),
            zone: user.zone(),
        },
        second_factor_missing,
    })
}

/// Layer around the page and server-function routes: gives each request its
/// [`RequestIdentity`] and, for a page, identifies the caller before the page renders (see
/// [`prepare_identity`]).
pub async fn identify_page_caller(
    axum::extract::State(st): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    prepare_identity(&st, &mut req).await;
    next.run(req).await
}

/// Puts a fresh [`RequestIdentity`] in `req`'s extensions and, for a page (a `GET` outside the
/// server functions under `/api/`), the [`SessionInfo`] its frame shows: who is signed in and
/// whether the site runs on demo data. Read here, before the render, the frame draws at once
/// instead of waiting inside the render for a resource of its own; the page's own resources find
/// the caller already identified.
pub async fn prepare_identity(st: &AppState, req: &mut axum::extract::Request) {
    let identity = RequestIdentity::default();
    let is_page = req.method() == axum::http::Method::GET && !req.uri().path().starts_with("/api/");
    let session = req.extensions().get::<tower_sessions::Session>().cloned();
    if let (true, Some(session)) = (is_page, session) {
        let info = page_session_info(st, &TypedSession(session), &identity).await;
        req.extensions_mut().insert(info);
    }
    req.extensions_mut().insert(identity);
}

/// Who the page frame shows as signed in, even before they have set up a second factor their
/// account needs. It grants nothing: every server function checks the caller again (from the
/// same `identity`). When that cannot be read, the frame shows no one, and the page reports the
/// error from its own check.
async fn page_session_info(
    st: &AppState,
    session: &TypedSession,
    identity: &RequestIdentity,
) -> SessionInfo {
    let info = async {
        let who = match signed_in_actor(st, session, false, Some(identity)).await {
            Ok(who) => Some(who),
            Err(AppError::NotSignedIn) => None,
            Err(other) => return Err(other),
        };
        let demo = st.settings.demo_mode(&st.db).await?;
        let user = match who {
            None => None,
            Some(actor) => match user_row_in(st, actor.user_id, Some(identity)).await? {
                Some(row) => Some(SignedInUser {
                    email: row.email,
                    role: actor.role,
                    org_name: row.organisation_name,
                    owner: row.org_owner,
                    unread: unread_notifications_in(st, actor.user_id, Some(identity)).await?,
                }),
                None => None,
            },
        };
        Ok::<_, AppError>(SessionInfo { user, demo })
    };
    info.await.unwrap_or_else(|error| {
        tracing::debug!(%error, "the page frame shows no one signed in");
        SessionInfo::default()
    })
}

/// Provides a render or server function with what [`prepare_identity`] put in its request's
/// extensions (an empty [`RequestIdentity`] where it put none).
pub fn provide_request_identity() {
    use leptos::prelude::{provide_context, with_context};
    let (identity, info) = with_context(|parts: &axum::http::request::Parts| {
        (
            parts.extensions.get::<RequestIdentity>().cloned(),
            parts.extensions.get::<SessionInfo>().cloned(),
        )
    })
    .unwrap_or_default();
    provide_context(identity.unwrap_or_default());
    if let Some(info) = info {
        provide_context(info);
    }
}
