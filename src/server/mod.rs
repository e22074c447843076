//! Server-only code: configuration, database, sessions, use cases, HTTP, jobs and the CLI.
//! Compiled only with the `ssr` feature; nothing here reaches the WebAssembly bundle.

pub mod assets;
pub mod audit_keys;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod dns;
pub mod errors;
pub mod inbound;
pub mod intake;
pub mod jobs;
pub mod mail;
pub mod payments;
pub mod sealed;
pub mod seed;
pub mod session_keys;
pub mod state;
pub mod storage;
pub mod usecase;

use crate::app::{shell, App};
use auth::password::PasswordHasher;
use axum::routing::get;
use axum::Router;
use config::Config;
use db::sessions::DbSessionStore;
use db::{Db, DbOptions};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use state::AppState;
use std::sync::Arc;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "portal_session";

/// Opens the database, applies pending migrations and builds the shared state.
pub async fn open_state(
    config: Config,
) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
    let db = Db::connect(&DbOptions {
        url: config.database_url.clone(),
        max_connections: config.db_max_connections,
    })
    .await
    .map_err(|e| {
        format!(
            "cannot open the database {}: {e}",
            config::redact_url(&config.database_url)
        )
    })?;
    db.migrate()
        .await
        .map_err(|e| format!("migrations failed: {e}"))?;
    let backfilled = db::inventory::backfill_assignments(&db)
        .await
        .map_err(|e| format!("recording the address history failed: {e}"))?;
    if backfilled > 0 {
        tracing::info!(backfilled, "addresses given their assignment history");
    }
    let hasher = PasswordHasher::new(config.hash_concurrency, config.hash_queue)?;
    let audit_keys = audit_keys::load_or_create(&config.audit_key_file)?;
    let leptos_options = LeptosOptions::builder()
        .output_name("portal")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .build();
    let evidence = storage::EvidenceStore::new(&config.data_dir);
    let stripe = config
        .billing
        .stripe
        .clone()
        .map(payments::stripe::StripeClient::new);
    Ok(AppState::new(state::AppStateInner {
        leptos_options,
        db,
        config: Arc::new(config),
        hasher,
        evidence,
        audit_keys: Arc::new(audit_keys),
        stripe,
        settings: Default::default(),
        assets: Arc::new(assets::AssetNames::of_this_build("pkg", "portal")),
        clock: Default::default(),
    }))
}

/// The whole HTTP application: pages, server functions, health checks and static files, behind
/// the layers (outermost first): compression of text, security headers, the cross-origin
/// refusal, database outages as 503, sessions, the outcomes of plain form posts (kept by server
/// functions for the next page load), the statuses of server-function errors, and the request
/// body timeout.
///
/// The layers wrap the routed application once, as one stack, rather than each route through
/// `Router::layer`, which boxes every layer around every route and clones each box on every
/// request (about 4 % of a page's CPU time, measured with callgrind on 2026-11-27).
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let session_layer = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(state.config.session.idle));
    // The pages and server functions, behind the layer that identifies a page's caller before
    // it renders (for the page frame).
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, state::provide_request_identity, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            state::identify_page_caller,
        ));
    let routed = Router::new()
        .route("/healthz", get(inbound::http::healthz))
        .route("/readyz", get(inbound::http::readyz))
        .route(
            "/notices/{id}/evidence",
            axum::routing::post(inbound::evidence::upload).layer(
                axum::extract::DefaultBodyLimit::max(inbound::evidence::drain_limit(
                    &state.config.evidence,
                )),
            ),
        )
        .route("/evidence/{file_id}", get(inbound::evidence::download))
        .route(
            "/notifications/{id}/open",
            get(inbound::notifications::open),
        )
        .merge(assets::pkg_router(&state.config.site_root.join("pkg")))
        .merge(inbound::api_v1::router())
        .route(
            "/webhooks/stripe",
            axum::routing::post(inbound::stripe_webhook::stripe_webhook).layer(
                axum::extract::DefaultBodyLimit::max(inbound::stripe_webhook::MAX_BODY),
            ),
        )
        .merge(pages)
        .fallback(file_or_not_found)
        .with_state(state.clone());
    let layered = tower::ServiceBuilder::new()
        .layer(inbound::http::compression())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            inbound::http::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            inbound::http::refuse_foreign_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            inbound::http::database_outage_status,
        ))
        .layer(session_layer)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            inbound::form_posts::outcomes,
        ))
        .layer(axum::middleware::from_fn(
            inbound::http::server_fn_error_status,
        ))
        // Innermost, as only the handlers read bodies, and axum's middleware takes plain ones.
        .layer(RequestBodyTimeoutLayer::new(state.config.body_timeout))
        .service(routed);
    Router::new().fallback_service(layered)
}

/// A file under the site root (such as the favicon), else the not-found page, whose frame shows
/// who is signed in (identified as for any page; not for a file, which needs no one).
async fn file_or_not_found(
    axum::extract::State(st): axum::extract::State<AppState>,
    uri: axum::http::Uri,
    mut req: axum::extract::Request,
) -> axum::response::Response {
    use tower::ServiceExt;
    let probe = axum::extract::Request::head(uri.clone()).body(axum::body::Body::empty());
    let is_file = match probe {
        Ok(probe) => tower_http::services::ServeDir::new(&*st.leptos_options.site_root)
            .oneshot(probe)
            .await
            .is_ok_and(|res| res.status().is_success()),
        Err(_) => false,
    };
    if !is_file {
        state::prepare_identity(&st, &mut req).await;
    }
    let handler = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
        state::provide_request_identity,
        shell,
    );
    handler(uri, axum::extract::State(st), req).await
}

/// The app's routes, generated once per process. Generating them renders the app with resource
/// loading suppressed by a process-wide flag, so a page rendered meanwhile by another router of
/// the same process (the tests serve many) could wait forever on a resource that first ran then
/// (leptos issue 4773). Once, before any router serves, nothing renders beside it.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Serves the portal until Ctrl-C or SIGTERM, with the background jobs running beside it.
pub async fn serve(state: AppState) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let addr = state.config.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let jobs = jobs::spawn(state.clone());
    tracing::info!(
        "serving the portal at {} (listening on {}, database: {})",
        state.config.public_url,
        listener.local_addr()?,
        state.db.engine()
    );
    println!("The portal is running at {}", state.config.public_url);
    let header_timeout = state.config.header_timeout;
    inbound::listen::serve(
        listener,
        router(state.clone()),
        header_timeout,
        shutdown_signal(),
    )
    .await;
    jobs.abort();
    state.db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
