//! Plain form posts: a form sent by the browser itself, not by a script. Every form of the portal
//! is one (the pages are not hydrated, only their islands). Leptos answers one by redirecting
//! back to the page (the `Referer`), which loses the server function's answer and what was
//! typed.
//!
//! One layer ([`outcomes`]) keeps them for the page the browser loads next, through the session:
//! - Around the server functions ([`keep_outcome`]): after a plain post that was answered with a
//!   redirect, it keeps a [`PostOutcome`]: the function's path, the answer (its output or its
//!   error, as JSON) and the posted fields without anything secret. A refusal then redirects to
//!   the clean page address: the error travels in the session, not in the URL.
//! - Around the pages ([`take_outcome`]): a page load takes the outcome out of the session (it is
//!   shown once) and leaves it in the request's extensions, where
//!   `ui::components::form_action` and `ui::components::kept` read it.

use super::auth::session::TypedSession;
use super::state::AppState;
use crate::views::forms::{PostOutcome, FORM_FIELD};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tower_sessions::Session;

/// The largest form body kept (larger posts pass through and keep nothing). An inventory
/// import's CSV is the largest form the pages have.
const MAX_FORM_BYTES: u64 = 1024 * 1024;

/// The largest answer kept (a server function's output for a form is a message or a short
/// view; anything larger is not kept).
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// Whether a field must never be kept: passwords, one-time codes and tokens, and the
/// current/new/repeated password fields of the password page. (A public form's anti-spam ticket
/// is kept: it only says when the form was first shown.)
pub fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["password", "code", "token", "secret"]
        .iter()
        .any(|word| name.contains(word))
        || matches!(name.as_str(), "current" | "new" | "again")
}

/// Whether the request is a form posted by the browser itself to a server function: a POST under
/// `/api/` (not the JSON API under `/api/v1/`), urlencoded, from a browser that expects a page.
fn is_plain_form_post(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    let header_has = |name, needle: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(needle))
    };
    method == Method::POST
        && path.starts_with("/api/")
        && !path.starts_with("/api/v1/")
        && header_has(header::ACCEPT, "text/html")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
}

/// The layer: keeps the outcome of a plain form post, and gives it to the next page load (see
/// the module's documentation). Anything else passes through untouched.
pub async fn outcomes(st: State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        keep_outcome(st, req, next).await
    } else {
        take_outcome(req, next).await
    }
}

/// Keeps the outcome of a plain form post to a server function.
///
/// The body is read here, outside the body timeout layer (which sits innermost, around the
/// handlers), so this reading has the same time limit of its own.
async fn keep_outcome(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (Some(session), Some(length)) = (session, length) else {
        return next.run(req).await;
    };
    if length > MAX_FORM_BYTES || !is_plain_form_post(req.method(), req.uri().path(), req.headers())
    {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let read = axum::body::to_bytes(body, MAX_FORM_BYTES as usize);
    let bytes = match tokio::time::timeout(st.config.body_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            // The body broke off: the function could not have read it either.
            tracing::info!(cause = %e, "a form post's body could not be read");
            return (
                axum::http::StatusCode::BAD_REQUEST,
                "The form could not be read. Send it again.",
            )
                .into_response();
        }
        Err(_) => {
            tracing::info!("a form post's body did not arrive in time");
            return (
                axum::http::StatusCode::REQUEST_TIMEOUT,
                "The form took too long to arrive. Send it again.",
            )
                .into_response();
        }
    };
    let mut fields: Vec<(String, String)> =
        url::form_urlencoded::parse(&bytes).into_owned().collect();
    let form = fields
        .iter()
        .position(|(name, _)| name == FORM_FIELD)
        .map(|at| fields.remove(at).1);
    let body = if form.is_some() {
        let rest = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&fields)
            .finish();
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(rest.len()));
        Body::from(rest)
    } else {
        Body::from(bytes)
    };
    fields.retain(|(name, _)| !is_secret(name));
    let path = parts.uri.path().to_owned();
    let mut res = next.run(Request::from_parts(parts, body)).await;
    if !res.status().is_redirection() {
        return res;
    }
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let refused = location
        .as_deref()
        .is_some_and(|l| refusal_of(l).is_some_and(|p| p == path));
    // A success keeps its answer only in a session that holds something: signing out empties
    // the session, and a visitor without one gets none for a success. A refusal always keeps
    // what was typed, in a new session if need be.
    if !refused && session.is_empty().await {
        // Leptos leaves a bare `?` where it took an old error out of the address.
        if let Some(bare) = location.as_deref().and_then(|l| l.strip_suffix('?')) {
            if let Ok(value) = HeaderValue::from_str(bare) {
                res.headers_mut().insert(header::LOCATION, value);
            }
        }
        return res;
    }
    let (mut res_parts, res_body) = res.into_parts();
    let answer = match axum::body::to_bytes(res_body, MAX_ANSWER_BYTES).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => return Response::from_parts(res_parts, Body::empty()),
    };
    let outcome = PostOutcome {
        path,
        form,
        ok: !refused,
        answer,
        fields,
    };
    match TypedSession(session).keep_post_outcome(&outcome).await {
        Ok(()) => {
            // An error now travels in the session: the page's address stays clean, and a
            // reload does not show an old error again.
            if let Some(clean) = location.as_deref().map(without_refusal) {
                if let Ok(value) = HeaderValue::from_str(&clean) {
                    res_parts.headers.insert(header::LOCATION, value);
                }
            }
        }
        Err(e) => tracing::warn!(cause = %e, "a form post's outcome could not be kept"),
    }
    Response::from_parts(res_parts, Body::empty())
}

/// A page load takes the waiting outcome out of the session and leaves it in the request's
/// extensions as `Arc<PostOutcome>`. Costs no statement: the session is read only when the
/// browser sent its cookie, and pages read it anyway.
async fn take_outcome(mut req: Request, next: Next) -> Response {
    let is_page_load = req.method() == Method::GET
        && !req.uri().path().starts_with("/api/")
        && !req.uri().path().starts_with("/pkg/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if is_page_load {
        if let Some(session) = req.extensions().get::<Session>().cloned() {
            if let Ok(Some(outcome)) = TypedSession(session).take_post_outcome().await {
                req.extensions_mut().insert(Arc::new(outcome));
            }
        }
    }
    next.run(req).await
}

/// The server function path named by the `__path` of a refusal in a Leptos redirect's address.
fn refusal_of(location: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    pairs.iter().any(|(k, _)| k == "__err").then_some(())?;
    pairs
        .into_iter()
        .find(|(k, _)| k == "__path")
        .map(|(_, v)| v)
}

/// The address without Leptos' `__path` and `__err` parameters, and without `?` when nothing else
/// remains (Leptos leaves one where it took an old error out).
fn without_refusal(location: &str) -> String {
    let Some((base, query)) = location.split_once('?') else {
        return location.to_owned();
    };
    let rest: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "__path" && k != "__err")
        .collect();
    if rest.is_empty() {
        base.to_owned()
    } else {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&rest)
            .finish();
        format!("{base}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_kept() {
        for name in [
            "password",
            "password_again",
            "new_password",
            "code",
            "recovery_code",
            "token",
            "current",
            "new",
            "again",
        ] {
            assert!(is_secret(name), "{name}");
        }
        for name in [
            "email", "name", "reason", "scopes[]", "csv", "note", "next", "ticket",
        ] {
            assert!(!is_secret(name), "{name}");
        }
    }

    #[test]
    fn only_browser_form_posts_to_server_functions_are_plain_posts() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml"),
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert!(is_plain_form_post(
            &Method::POST,
            "/api/auth/login",
            &headers
        ));
        assert!(!is_plain_form_post(
            &Method::GET,
            "/api/auth/login",
            &headers
        ));
        assert!(!is_plain_form_post(
            &Method::POST,
            "/api/v1/reports",
            &headers
        ));
        assert!(!is_plain_form_post(
            &Method::POST,
            "/notices/1/evidence",
            &headers
        ));
        let mut script = headers.clone();
        script.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert!(!is_plain_form_post(
            &Method::POST,
            "/api/auth/login",
            &script
        ));
    }

    #[test]
    fn a_refusal_is_read_from_the_redirect_and_taken_out_of_it() {
        let location = "http://portal.test/account/people?tab=2&__path=%2Fapi%2Fpeople%2Finvite&__err=eyJ4Ijp9";
        assert_eq!(refusal_of(location).as_deref(), Some("/api/people/invite"));
        assert_eq!(
            without_refusal(location),
            "http://portal.test/account/people?tab=2"
        );
        assert_eq!(
            without_refusal("/login?__path=%2Fapi%2Fauth%2Flogin&__err=e30"),
            "/login"
        );
        assert_eq!(refusal_of("/login?next=%2Fnotices"), None);
        assert_eq!(
            without_refusal("http://portal.test/notices/1?"),
            "http://portal.test/notices/1"
        );
        assert_eq!(refusal_of("/login"), None);
    }
}
