//! How long a sign-in lasts: an idle limit (renewed by activity) and an absolute limit from the
//! moment of signing in, whichever comes first.

use time::{Duration, OffsetDateTime};

/// Activity renews a session's idle limit at most this often: a request within a minute of the
/// last renewal changes nothing, so that most requests write nothing to the session store.
pub const RENEW_AFTER: Duration = Duration::minutes(1);

/// The two limits on a session's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Ends a session after this long without a request.
    pub idle: Duration,
    /// Ends a session this long after sign-in, however active.
    pub absolute: Duration,
}

impl SessionLimits {
    /// Whether a session begun at `signed_in_at` is past its absolute limit at `now`.
    /// The idle limit is enforced by the session store's expiry date, renewed by activity (at
    /// most every [`RENEW_AFTER`]).
    pub fn absolute_limit_passed(&self, signed_in_at: OffsetDateTime, now: OffsetDateTime) -> bool {
        now >= signed_in_at + self.absolute
    }
}

/// Where to go after signing in: `next` when it is a path of this site (`/notices/42?tab=x`),
/// otherwise the home page. Anything that could leave the site (`//host`, `/\\host`, a scheme,
/// control characters) or lead back to signing in is refused.
pub fn after_sign_in(next: Option<&str>) -> String {
    let Some(next) = next.map(str::trim).filter(|n| !n.is_empty()) else {
        return "/".to_owned();
    };
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let safe = next.len() <= 2048
        && next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && !matches!(path, "/login" | "/logout");
    if safe {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The sign-in page that leads back to `here` (a path with its query) afterwards.
pub fn sign_in_path(here: &str) -> String {
    if here.is_empty() || here == "/" || after_sign_in(Some(here)) == "/" {
        return "/login".to_owned();
    }
    let mut encoded = String::with_capacity(here.len() + 16);
    for b in here.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(b as char)
            }
            _ => encoded.push_str(&format!("%{b:02X}")),
        }
    }
    format!("/login?next={encoded}")
}

/// A browser as people recognise it, from its `User-Agent`: "Firefox on Linux", "Chrome on
/// Windows", or "Unknown browser".
pub fn describe_user_agent(agent: &str) -> String {
    let has = |needle: &str| agent.contains(needle);
    let browser = if has("Firefox/") {
        "Firefox"
    } else if has("Edg/") {
        "Edge"
    } else if has("OPR/") {
        "Opera"
    } else if has("Chromium/") {
        "Chromium"
    } else if has("Chrome/") {
        "Chrome"
    } else if has("Safari/") {
        "Safari"
    } else if has("curl/") {
        "curl"
    } else {
        return "Unknown browser".to_owned();
    };
    let system = if has("Android") {
        "Android"
    } else if has("iPhone") || has("iPad") {
        "iOS"
    } else if has("Windows") {
        "Windows"
    } else if has("Mac OS X") || has("Macintosh") {
        "macOS"
    } else if has("Linux") || has("X11") {
        "Linux"
    } else {
        return browser.to_owned();
    };
    format!("{browser} on {system}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_paths_of_this_site_are_followed_after_sign_in() {
        use super::after_sign_in as next;
        assert_eq!(next(Some("/notices/42")), "/notices/42");
        assert_eq!(
            next(Some("/notices?state=open&order=newest")),
            "/notices?state=open&order=newest"
        );
        for evil in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "notices/42",
            "/notices\n/42",
            "/login",
            "/login?next=/x",
            "/logout",
            "",
        ] {
            assert_eq!(next(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(next(None), "/");
        assert_eq!(next(Some(&format!("/{}", "a".repeat(3000)))), "/");
    }

    #[test]
    fn the_sign_in_page_carries_the_way_back() {
        use super::sign_in_path;
        assert_eq!(sign_in_path("/notices/42"), "/login?next=/notices/42");
        assert_eq!(
            sign_in_path("/notices?state=open&order=newest"),
            "/login?next=/notices%3Fstate%3Dopen%26order%3Dnewest"
        );
        assert_eq!(sign_in_path("/"), "/login");
        assert_eq!(sign_in_path("//evil.example"), "/login");
    }

    #[test]
    fn user_agents_in_words() {
        use super::describe_user_agent as d;
        assert_eq!(
            d("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on Linux"
        );
        assert_eq!(
            d("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
            "Edge on Windows"
        );
        assert_eq!(
            d("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),
            "Safari on macOS"
        );
        assert_eq!(
            d("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"),
            "Chrome on Linux"
        );
        assert_eq!(d("curl/8.5.0"), "curl");
        assert_eq!(d(""), "Unknown browser");
    }

    use super::*;
    use time::macros::datetime;

    #[test]
    fn absolute_limit_edges() {
        let limits = SessionLimits {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        };
        let t0 = datetime!(2026-11-24 08:00 UTC);
        assert!(!limits.absolute_limit_passed(t0, t0));
        assert!(!limits.absolute_limit_passed(t0, t0 + Duration::hours(12) - Duration::seconds(1)));
        assert!(limits.absolute_limit_passed(t0, t0 + Duration::hours(12)));
    }
}
