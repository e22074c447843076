//! Plain HTTP endpoints and layers: health checks, the cross-origin refusal, the statuses of
//! server-function errors, security headers, and who the client is.

use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::SESSION_COOKIE;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the database answers; 503 otherwise.
pub async fn readyz(State(st): State<AppState>) -> Response {
    match st.db.ping().await {
        Ok(()) => (StatusCode::OK, format!("ready ({})\n", st.db.engine())).into_response(),
        Err(err) => {
            tracing::warn!(cause = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response()
        }
    }
}

/// Whether the request carries the portal's session cookie.
fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| {
            pair.trim()
                .split_once('=')
                .is_some_and(|(name, _)| name == SESSION_COOKIE)
        })
}

/// Whether a request that may change state must be refused as a possible cross-site forgery.
///
/// Browsers send `Sec-Fetch-Site` (trusted first) or `Origin` on such requests. Only
/// `same-origin` (or `none`, a request the user made directly), or an `Origin` equal to the
/// portal's configured public origin, pass. A request with neither header passes only when it
/// carries no session cookie: it is then no forgery riding on someone's session.
pub fn is_foreign_write(method: &Method, headers: &HeaderMap, public_origin: &str) -> bool {
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    match headers.get(header::ORIGIN) {
        Some(origin) => origin.to_str().ok() != Some(public_origin),
        None => has_session_cookie(headers),
    }
}

/// Refuses state-changing requests from other origins with 403.
pub async fn refuse_foreign_writes(
    State(st): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if is_foreign_write(req.method(), req.headers(), &st.config.public_origin()) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "refused a cross-origin request");
        return (StatusCode::FORBIDDEN, "Cross-origin request refused.\n").into_response();
    }
    next.run(req).await
}

/// The header leptos puts on a server function's error response.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";
/// The largest error body read back to find its status (errors are short JSON).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Gives every server function's error the HTTP status it stands for (401, 403, 404, 409, 422,
/// 429 with `Retry-After`, 503…) instead of leptos' blanket 500, so that API clients, the
/// browser's network panel and monitoring can tell a refusal from a crash.
///
/// Leptos answers an error with 500 and the error as JSON, marked by its `serverfnerror`
/// header; the one exception is a form posted by the browser itself, which is redirected back
/// to its page (`server::inbound::form_posts` keeps the error for it). That redirect is left as it is.
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ERROR_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(cause = %e, "could not read a server function's error");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match error {
            AppError::RateLimited { retry_after_s } => {
                parts
                    .headers
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
            }
            AppError::Unavailable => {
                parts
                    .headers
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            _ => {}
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Tells an outage from a bug: a 500 answered while the database does not respond becomes
/// 503 with `Retry-After`. Requests fail before reaching any handler when the session store is
/// down, so this sits outside the session layer; it costs a query only on a 500.
pub async fn database_outage_status(
    State(st): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || st.db.ping().await.is_ok() {
        return res;
    }
    tracing::error!("the database does not respond: answering 503");
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        format!("{}\n", AppError::Unavailable.user_message()),
    )
        .into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

/// The policy for responses other than pages: they run no scripts and load nothing.
pub const LOCKED_DOWN_CSP: &str =
    "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The policy for a page, whose only inline script is the one that starts its islands, with
/// `nonce`. With card payments on, a form may also lead to Stripe's payment page (the "Pay by
/// card" form is answered with a redirect there, which `form-action` governs).
pub fn page_csp(nonce: &str, card_payments: bool) -> String {
    let stripe = if card_payments {
        format!(" {}", crate::server::payments::stripe::CHECKOUT_ORIGIN)
    } else {
        String::new()
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'{stripe}"
    )
}

/// Compresses pages and other text (HTML, JSON, JavaScript, CSS, SVG) with brotli or gzip, as
/// the client accepts, at a level that costs little CPU; files that are already compressed
/// (the bundle's precompressed copies, evidence uploads) pass as they are.
pub fn compression(
) -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{Predicate, SizeAbove};
    use tower_http::compression::{CompressionLayer, CompressionLevel};
    let is_text =
        |_: StatusCode, _: axum::http::Version, headers: &HeaderMap, _: &axum::http::Extensions| {
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| {
                    t.starts_with("text/")
                        || t.starts_with("application/json")
                        || t.starts_with("application/javascript")
                        || t.starts_with("image/svg+xml")
                })
        };
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(4))
        .compress_when(SizeAbove::new(256).and(is_text))
}

/// The nonce of one response's scripts, made before the page renders (see [`security_headers`]);
/// the shell reads it from the request and gives it to Leptos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspNonce(pub String);

/// Adds headers every response should carry. Every request gets a fresh [`CspNonce`]; an HTML
/// response gets the page policy allowing scripts with that nonce, any other response one that
/// allows nothing to run (unless its handler set its own, as evidence downloads do).
pub async fn security_headers(
    State(st): State<AppState>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/");
    let nonce = crate::domain::audit::to_hex(&rand::random::<[u8; 16]>());
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html {
        if let Ok(policy) = HeaderValue::from_str(&page_csp(&nonce, st.stripe.is_some())) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Not `no-referrer`: every form post is sent back to its page by Referer.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert_with(|| HeaderValue::from_static(LOCKED_DOWN_CSP));
    if st.config.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !is_asset {
        // Pages carry personal and case data: never keep them in shared or back-button caches.
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert_with(|| HeaderValue::from_static("no-store"));
    }
    res
}

/// The client's address: the peer's, or, when the peer is one of `trusted` proxies, the
/// nearest address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .map(|item| {
            item.parse::<IpAddr>()
                .or_else(|_| item.parse::<SocketAddr>().map(|s| s.ip()))
        })
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

/// The client's address as the request in context shows it (see [`client_ip`]).
pub async fn client_ip_of_request(st: &AppState) -> Option<IpAddr> {
    let ConnectInfo(peer) = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .ok()?;
    let headers = leptos_axum::extract::<HeaderMap>().await.ok()?;
    Some(client_ip(peer.ip(), &headers, &st.config.trusted_proxies))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "https://portal.example";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn reads_are_never_refused() {
        let h = headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ]);
        assert!(!is_foreign_write(&Method::GET, &h, PUBLIC));
        assert!(!is_foreign_write(&Method::HEAD, &h, PUBLIC));
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let same = headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://evil.example"),
        ]);
        assert!(!is_foreign_write(&Method::POST, &same, PUBLIC));
        for site in ["cross-site", "same-site"] {
            let mut h = HeaderMap::new();
            h.insert("sec-fetch-site", HeaderValue::from_static(site));
            assert!(is_foreign_write(&Method::POST, &h, PUBLIC), "{site}");
        }
        assert!(!is_foreign_write(
            &Method::POST,
            &headers(&[("sec-fetch-site", "none")]),
            PUBLIC
        ));
    }

    #[test]
    fn only_the_configured_public_origin_passes() {
        assert!(!is_foreign_write(
            &Method::POST,
            &headers(&[("origin", PUBLIC)]),
            PUBLIC
        ));
        let via_host = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(
            is_foreign_write(&Method::POST, &via_host, PUBLIC),
            "an Origin equal to the Host header is not enough"
        );
        assert!(is_foreign_write(
            &Method::DELETE,
            &headers(&[("origin", "null")]),
            PUBLIC
        ));
    }

    #[test]
    fn without_browser_headers_only_requests_without_the_session_cookie_pass() {
        assert!(!is_foreign_write(&Method::POST, &HeaderMap::new(), PUBLIC));
        let with_cookie = headers(&[("cookie", "theme=dark; portal_session=abc")]);
        assert!(is_foreign_write(&Method::POST, &with_cookie, PUBLIC));
        let other_cookie = headers(&[("cookie", "portal_sessionx=abc")]);
        assert!(!is_foreign_write(&Method::POST, &other_cookie, PUBLIC));
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&[("x-forwarded-for", "198.51.100.9, 203.0.113.7, 10.0.0.4")]);
        assert_eq!(
            client_ip(proxy, &h, &trusted),
            "203.0.113.7".parse::<IpAddr>().unwrap(),
            "the nearest untrusted hop, not what the client claims at the left"
        );
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(client_ip(stranger, &h, &trusted), stranger, "not a proxy");
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted), proxy);
        let junk = headers(&[("x-forwarded-for", "not-an-address")]);
        assert_eq!(client_ip(proxy, &junk, &trusted), proxy);
        let two_headers = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-for", "10.0.0.3"),
        ]);
        assert_eq!(
            client_ip(proxy, &two_headers, &trusted),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn page_policies_carry_the_nonce_and_lock_the_rest_down() {
        let csp = page_csp("abc123", false);
        for part in [
            "script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(part), "{part} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.ends_with("form-action 'self'"));
        assert!(
            page_csp("abc123", true).ends_with("form-action 'self' https://checkout.stripe.com")
        );
    }
}
