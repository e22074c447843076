//! Plain form posts: a form sent by the browser itself, not by a script. Every form of the portal
//! is one (the pages are not hydrated, only their islands). Leptos answers one by redirecting
//! back to the page (the `Referer`), which loses the server function's answer and what was
//! typed.
//!
//! One layer ([`outcomes`]) keeps them for the page the browser loads next:
//! - Around the server functions ([`keep_outcome`]): after a plain post that was answered with a
//!   redirect, it keeps a [`PostOutcome`]: the function's path, the answer (its output or its
//!   error, as JSON) and the posted fields without anything secret, each cut to
//!   [`MAX_KEPT_FIELD_BYTES`] and all to [`MAX_KEPT_FIELDS_BYTES`]. The outcome is sealed (see
//!   [`crate::server::sealed`]): an answer may be a one-time secret (recovery codes, a new API token, an
//!   invitation link), which is never stored readable. It goes into the session when the session
//!   holds something (a signed-in user, a sign-in waiting for its code, a public form's draft);
//!   a refusal of a visitor without one goes into a short-lived cookie instead, so that anonymous
//!   posts never make session rows. A refusal then redirects to the clean page address: the
//!   error travels in the session or the cookie, not in the URL.
//! - Around the pages ([`take_outcome`]): a page load takes the outcome out of the session or
//!   the cookie (it is shown once) and leaves it in the request's extensions, where
//!   `ui::components::form_action` and `ui::components::kept` read it.

use crate::domain::audit::Keyring;
use crate::server::auth::session::TypedSession;
use crate::server::state::AppState;
use crate::views::forms::{PostOutcome, FORM_FIELD};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tower_sessions::cookie::{Cookie, SameSite};
use tower_sessions::Session;

/// The largest form body kept (larger posts pass through and keep nothing). An inventory
/// import's CSV is the largest form the pages have.
const MAX_FORM_BYTES: u64 = 1024 * 1024;

/// The largest answer kept (a server function's output for a form is a message or a short
/// view; anything larger is not kept).
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// The most of one posted field that is kept to fill the form again.
pub const MAX_KEPT_FIELD_BYTES: usize = 4 * 1024;

/// The most of all a post's fields that is kept.
pub const MAX_KEPT_FIELDS_BYTES: usize = 16 * 1024;

/// The cookie that carries an anonymous visitor's refused post to the next page load.
pub const FLASH_COOKIE: &str = "portal_flash";

/// The largest sealed outcome put into [`FLASH_COOKIE`] (browsers keep cookies of up to 4 KiB,
/// name and attributes included). A larger one stays in Leptos' redirect address instead.
const MAX_FLASH_BYTES: usize = 3 * 1024;

/// How long the flash cookie lives: the browser loads the page at once.
const FLASH_SECONDS: i64 = 120;

/// Where an outcome is kept: each seals for its own purpose (see [`crate::server::sealed`]), so that an
/// outcome kept in one place never opens from the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keeper {
    /// The visitor's session.
    Session,
    /// The flash cookie: refusals of visitors without a session only.
    Cookie,
}

impl Keeper {
    fn purpose(self) -> &'static [u8] {
        match self {
            Keeper::Session => b"post outcome",
            Keeper::Cookie => b"refused post outcome in a cookie",
        }
    }
}

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
        take_outcome(&st, req, next).await
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
    let fields = bounded(fields);
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
    // the session, and a visitor without one gets none for a success. A refusal of a visitor
    // without a session goes into the flash cookie: no session row for an anonymous post.
    let anonymous = session.is_empty().await;
    if !refused && anonymous {
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
    let kept = if anonymous {
        let sealed = seal_outcome(&st.audit_keys, Keeper::Cookie, &outcome);
        flash_cookie(&sealed, st.config.cookie_secure).and_then(|cookie| {
            HeaderValue::from_str(&cookie.to_string())
                .ok()
                .map(|value| {
                    res_parts.headers.append(header::SET_COOKIE, value);
                })
        })
    } else {
        let sealed = seal_outcome(&st.audit_keys, Keeper::Session, &outcome);
        match TypedSession(session).keep_post_outcome(&sealed).await {
            Ok(()) => Some(()),
            Err(e) => {
                tracing::warn!(cause = %e, "a form post's outcome could not be kept");
                None
            }
        }
    };
    // The outcome now travels in the session or the cookie: the page's address stays clean, and
    // a reload does not show an old error again. Kept nowhere, the error stays in the address.
    if kept.is_some() {
        if let Some(clean) = location.as_deref().map(without_refusal) {
            if let Ok(value) = HeaderValue::from_str(&clean) {
                res_parts.headers.insert(header::LOCATION, value);
            }
        }
    }
    Response::from_parts(res_parts, Body::empty())
}

/// The posted fields as kept: each value cut to [`MAX_KEPT_FIELD_BYTES`], and all of them to
/// [`MAX_KEPT_FIELDS_BYTES`] (later fields get what is left), on character boundaries.
fn bounded(fields: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut left = MAX_KEPT_FIELDS_BYTES;
    fields
        .into_iter()
        .map(|(name, value)| {
            let value = cut_to(&value, MAX_KEPT_FIELD_BYTES.min(left)).to_owned();
            left -= value.len();
            (name, value)
        })
        .collect()
}

/// The longest start of `text` of at most `bytes` bytes that ends on a character boundary.
fn cut_to(text: &str, bytes: usize) -> &str {
    if text.len() <= bytes {
        return text;
    }
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn seal_outcome(keys: &Keyring, keeper: Keeper, outcome: &PostOutcome) -> String {
    let json = serde_json::to_vec(outcome).expect("an outcome is plain data");
    crate::server::sealed::seal(keys, keeper.purpose(), &json)
}

/// The outcome `sealed` holds, if it was sealed by `keeper`; a cookie's only when it is a
/// refusal (it was never written for anything else).
fn open_outcome(keys: &Keyring, keeper: Keeper, sealed: &str) -> Option<PostOutcome> {
    let json = crate::server::sealed::open(keys, keeper.purpose(), sealed)?;
    serde_json::from_slice::<PostOutcome>(&json)
        .ok()
        .filter(|outcome| keeper == Keeper::Session || !outcome.ok)
}

/// The flash cookie holding `sealed`, unless it is too large for a cookie.
fn flash_cookie(sealed: &str, secure: bool) -> Option<Cookie<'static>> {
    (sealed.len() <= MAX_FLASH_BYTES).then(|| {
        Cookie::build((FLASH_COOKIE, sealed.to_owned()))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(time::Duration::seconds(FLASH_SECONDS))
            .build()
    })
}

/// The sealed value of the flash cookie in the request's `Cookie` headers, if any.
fn flash_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == FLASH_COOKIE)
        .map(|c| c.value().to_owned())
}

/// A page load takes the waiting outcome out of the session (or the flash cookie, which the
/// answer then clears) and leaves it in the request's extensions as `Arc<PostOutcome>`. Costs no
/// statement: the session is read only when the browser sent its cookie, and pages read it
/// anyway.
async fn take_outcome(st: &AppState, mut req: Request, next: Next) -> Response {
    let is_page_load = req.method() == Method::GET
        && !req.uri().path().starts_with("/api/")
        && !req.uri().path().starts_with("/pkg/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if !is_page_load {
        return next.run(req).await;
    }
    let mut outcome = None;
    if let Some(session) = req.extensions().get::<Session>().cloned() {
        if let Ok(Some(kept)) = TypedSession(session).take_post_outcome().await {
            outcome = open_outcome(&st.audit_keys, Keeper::Session, &kept);
        }
    }
    let flash = flash_of(req.headers());
    if outcome.is_none() {
        outcome = flash
            .as_deref()
            .and_then(|kept| open_outcome(&st.audit_keys, Keeper::Cookie, kept));
    }
    if let Some(outcome) = outcome {
        req.extensions_mut().insert(Arc::new(outcome));
    }
    let mut res = next.run(req).await;
    if flash.is_some() {
        let mut gone = Cookie::build((FLASH_COOKIE, "")).path("/").build();
        gone.make_removal();
        if let Ok(value) = HeaderValue::from_str(&gone.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    res
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
    fn kept_fields_are_cut_per_field_and_per_post_on_character_boundaries() {
        let big = "é".repeat(10_000);
        let kept = bounded(vec![
            ("a".into(), "four".into()),
            ("b".into(), big.clone()),
            ("c".into(), big.clone()),
            ("d".into(), big.clone()),
            ("e".into(), big.clone()),
            ("f".into(), "late".into()),
        ]);
        assert_eq!(kept[0].1, "four");
        assert_eq!(kept[1].1.len(), MAX_KEPT_FIELD_BYTES);
        assert!(kept.iter().all(|(_, v)| v.len() <= MAX_KEPT_FIELD_BYTES));
        let total: usize = kept.iter().map(|(_, v)| v.len()).sum();
        assert_eq!(
            total, MAX_KEPT_FIELDS_BYTES,
            "the budget is used up exactly"
        );
        assert_eq!(
            kept[5].1, "",
            "nothing is left for a field after the budget"
        );
        assert_eq!(kept.len(), 6, "every field keeps its name");
        assert_eq!(cut_to("aé", 2), "a");
    }

    #[test]
    fn an_outcome_opens_only_where_it_was_kept_and_a_cookie_only_as_a_refusal() {
        use crate::domain::audit::AuditKey;
        let keys = Keyring::new(vec![AuditKey::new("k1", [3; 32])]).unwrap();
        let outcome = |ok| PostOutcome {
            path: "/api/admin/tokens/create".into(),
            form: None,
            ok,
            answer: "\"apt_secret\"".into(),
            fields: Vec::new(),
        };
        let in_session = seal_outcome(&keys, Keeper::Session, &outcome(true));
        assert!(!in_session.contains("apt_secret"));
        assert_eq!(
            open_outcome(&keys, Keeper::Session, &in_session),
            Some(outcome(true))
        );
        assert_eq!(open_outcome(&keys, Keeper::Cookie, &in_session), None);
        let in_cookie = seal_outcome(&keys, Keeper::Cookie, &outcome(false));
        assert_eq!(
            open_outcome(&keys, Keeper::Cookie, &in_cookie),
            Some(outcome(false))
        );
        let success_in_cookie = seal_outcome(&keys, Keeper::Cookie, &outcome(true));
        assert_eq!(
            open_outcome(&keys, Keeper::Cookie, &success_in_cookie),
            None
        );
    }

    #[test]
    fn the_flash_cookie_is_read_back_and_too_large_an_outcome_gets_none() {
        let cookie = flash_cookie("k1.abc", true).unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("Secure"),
            "{cookie}"
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("portal_session=x; portal_flash=k1.abc"),
        );
        assert_eq!(flash_of(&headers).as_deref(), Some("k1.abc"));
        assert!(flash_cookie(&"x".repeat(MAX_FLASH_BYTES + 1), false).is_none());
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
