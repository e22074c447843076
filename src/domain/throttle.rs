//! The login rate limit: too many failed sign-ins for one account, or from one client address,
//! within a window make further attempts wait, whether the password is right or not.

use time::{Duration, OffsetDateTime};

/// Limits on failed sign-ins within a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// How far back failures count.
    pub window: Duration,
    /// Failures for one account (e-mail) that block further attempts for it.
    pub per_account: u32,
    /// Failures from one client address that block further attempts from it.
    pub per_address: u32,
}

/// Recent failures for one attempt's account and client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecentFailures {
    /// Failures for the account within the window.
    pub account: u32,
    /// The oldest of those.
    pub account_oldest: Option<OffsetDateTime>,
    /// Failures from the address within the window.
    pub address: u32,
    /// The oldest of those.
    pub address_oldest: Option<OffsetDateTime>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            window: Duration::minutes(15),
            per_account: 5,
            per_address: 20,
        }
    }
}

impl LoginThrottle {
    /// The start of the window that ends at `now`.
    pub fn window_start(&self, now: OffsetDateTime) -> OffsetDateTime {
        now - self.window
    }

    /// `Ok` if an attempt may proceed, else how many seconds to wait before the next one.
    pub fn check(&self, failures: &RecentFailures, now: OffsetDateTime) -> Result<(), u64> {
        let wait_from = |oldest: Option<OffsetDateTime>| {
            let free_at = oldest.unwrap_or(now) + self.window;
            (free_at - now).whole_seconds().max(1) as u64
        };
        let mut wait = 0;
        if failures.account >= self.per_account {
            wait = wait.max(wait_from(failures.account_oldest));
        }
        if failures.address >= self.per_address {
            wait = wait.max(wait_from(failures.address_oldest));
        }
        if wait == 0 {
            Ok(())
        } else {
            Err(wait)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

    #[test]
    fn below_the_limits_attempts_proceed() {
        let t = LoginThrottle::default();
        let f = RecentFailures {
            account: 4,
            account_oldest: Some(NOW),
            address: 19,
            address_oldest: Some(NOW),
        };
        assert_eq!(t.check(&f, NOW), Ok(()));
    }

    #[test]
    fn the_account_limit_blocks_until_its_oldest_failure_leaves_the_window() {
        let t = LoginThrottle::default();
        let oldest = NOW - Duration::minutes(10);
        let f = RecentFailures {
            account: 5,
            account_oldest: Some(oldest),
            ..Default::default()
        };
        assert_eq!(t.check(&f, NOW), Err(5 * 60));
    }

    #[test]
    fn the_address_limit_blocks_on_its_own() {
        let t = LoginThrottle::default();
        let f = RecentFailures {
            address: 20,
            address_oldest: Some(NOW - Duration::minutes(14)),
            ..Default::default()
        };
        assert_eq!(t.check(&f, NOW), Err(60));
    }

    #[test]
    fn the_longer_wait_wins_and_is_never_zero() {
        let t = LoginThrottle::default();
        let f = RecentFailures {
            account: 5,
            account_oldest: Some(NOW - Duration::minutes(15)),
            address: 20,
            address_oldest: Some(NOW - Duration::minutes(1)),
        };
        assert_eq!(t.check(&f, NOW), Err(14 * 60));
        let edge = RecentFailures {
            account: 5,
            account_oldest: Some(NOW - Duration::minutes(15)),
            ..Default::default()
        };
        assert_eq!(t.check(&edge, NOW), Err(1));
    }
}
