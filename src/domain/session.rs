//! How long a sign-in lasts: an idle limit (renewed by activity) and an absolute limit from the
//! moment of signing in, whichever comes first.

use time::{Duration, OffsetDateTime};

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
    /// The idle limit is enforced by the session store's expiry date, renewed on each request.
    pub fn absolute_limit_passed(&self, signed_in_at: OffsetDateTime, now: OffsetDateTime) -> bool {
        now >= signed_in_at + self.absolute
    }
}

#[cfg(test)]
mod tests {
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
