//! Plain HTTP endpoints and layers: health checks, the cross-origin refusal, security headers.

use super::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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

/// Whether a request that may change state comes from a page of another origin.
///
/// Browsers send `Sec-Fetch-Site` (trusted first) or `Origin` on such requests; one whose origin
/// is neither the portal's public origin nor the host it was sent to is foreign. Requests with
/// neither header (command-line clients) are not cross-site forgeries and pass.
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
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    if origin == public_origin {
        return false;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    !matches!((origin_host, host), (Some(o), Some(h)) if o == h)
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

/// Adds headers every response should carry.
pub async fn security_headers(req: Request<Body>, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Not `no-referrer`: a form posted without JavaScript is sent back to its page by Referer.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset {
        // Pages carry personal and case data: never keep them in shared or back-button caches.
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert_with(|| HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "https://portal.example";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
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
    fn origin_must_match_the_public_origin_or_the_host() {
        assert!(!is_foreign_write(
            &Method::POST,
            &headers(&[("origin", PUBLIC)]),
            PUBLIC
        ));
        let via_host = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(!is_foreign_write(&Method::POST, &via_host, PUBLIC));
        let foreign = headers(&[
            ("origin", "https://evil.example"),
            ("host", "portal.example"),
        ]);
        assert!(is_foreign_write(&Method::POST, &foreign, PUBLIC));
        assert!(is_foreign_write(
            &Method::DELETE,
            &headers(&[("origin", "null")]),
            PUBLIC
        ));
    }

    #[test]
    fn requests_without_browser_headers_pass() {
        assert!(!is_foreign_write(&Method::POST, &HeaderMap::new(), PUBLIC));
    }
}
