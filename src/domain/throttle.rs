//! The sign-in throttle: a growing delay per account and per client address, never a hard block.
//!
//! Each key (an account, a client address) has a *streak* of failed attempts. The first `free`
//! failures of a streak cost nothing; after that every failure doubles the wait before the next
//! attempt, from `first_delay` up to `max_delay`. A streak is forgotten once no attempt has been
//! counted for `max_delay`. So a person who mistypes a few times waits seconds, a burst of
//! guesses buys a handful of tries, and a patient attacker gets one try per `max_delay`.
//!
//! Attempts are *reserved* before the password is checked: the reservation counts as a failure
//! until the check succeeds (then it is taken back), so parallel attempts cannot slip past the
//! limit together. The storage layer makes the check-and-reserve atomic.

use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

/// The throttle's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Failures for one account (e-mail as typed) before delays begin.
    pub per_account: u32,
    /// Failures from one client address before delays begin.
    pub per_address: u32,
    /// The wait after the first failure beyond the free ones; it doubles with each further one.
    pub first_delay: Duration,
    /// The longest wait; a streak with no attempt for this long is forgotten.
    pub max_delay: Duration,
}

/// Wrong second-factor codes one correct password allows: after these the half-finished sign-in
/// ends and the password is asked for again. (The codes' own streak, per user, keeps counting
/// across sign-ins; only a correct code ends it.)
pub const WRONG_CODES_PER_PASSWORD: u32 = 3;

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            per_account: 5,
            per_address: 20,
            first_delay: Duration::seconds(30),
            max_delay: Duration::minutes(15),
        }
    }
}

/// What the throttle remembers about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streak {
    /// Attempts counted as failures (reservations included).
    pub failures: u32,
    /// When the last one was counted.
    pub last_at: OffsetDateTime,
}

/// The two keys an attempt is throttled by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streaks {
    /// The account's streak, if it has one.
    pub account: Option<Streak>,
    /// The client address's streak, if it has one.
    pub address: Option<Streak>,
}

/// Which limit made an attempt wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottledBy {
    /// Too many failures for the account.
    Account,
    /// Too many failures from the client address.
    Address,
}

/// An attempt that must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Whole seconds until the next attempt is allowed (at least 1).
    pub retry_after_s: u64,
    /// The limit that applies (the longer wait when both do).
    pub by: ThrottledBy,
}

impl LoginThrottle {
    /// The streak as it stands at `now`: forgotten after `max_delay` without an attempt.
    pub fn current(&self, streak: Option<Streak>, now: OffsetDateTime) -> Option<Streak> {
        streak.filter(|s| s.failures > 0 && now - s.last_at < self.max_delay)
    }

    /// The wait that `failures` earn beyond `free`: none, then `first_delay` doubling to `max_delay`.
    pub fn delay(&self, failures: u32, free: u32) -> Duration {
        if failures < free {
            return Duration::ZERO;
        }
        let doublings = (failures - free).min(30);
        let delay = self.first_delay.saturating_mul(1i32 << doublings);
        delay.min(self.max_delay)
    }

    fn wait(&self, streak: Option<Streak>, free: u32, now: OffsetDateTime) -> Option<u64> {
        let s = self.current(streak, now)?;
        let free_at = s.last_at + self.delay(s.failures, free);
        (free_at > now).then(|| ((free_at - now).as_seconds_f64().ceil() as u64).max(1))
    }

    /// `Ok` when an attempt may be made now, else how long to wait and why.
    pub fn check(&self, streaks: &Streaks, now: OffsetDateTime) -> Result<(), Throttled> {
        let account = self
            .wait(streaks.account, self.per_account, now)
            .map(|s| (s, ThrottledBy::Account));
        let address = self
            .wait(streaks.address, self.per_address, now)
            .map(|s| (s, ThrottledBy::Address));
        match account.into_iter().chain(address).max_by_key(|(s, _)| *s) {
            Some((retry_after_s, by)) => Err(Throttled { retry_after_s, by }),
            None => Ok(()),
        }
    }

    /// The streak after reserving one more attempt at `now`.
    pub fn reserve(&self, streak: Option<Streak>, now: OffsetDateTime) -> Streak {
        let failures = self.current(streak, now).map_or(0, |s| s.failures);
        Streak {
            failures: failures + 1,
            last_at: now,
        }
    }
}

/// The address key an attempt from `ip` counts against: an IPv4 address (IPv4-mapped IPv6
/// included) as it is, an IPv6 address by its /64, which one subscriber usually holds whole.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

    fn streak(failures: u32, ago: Duration) -> Option<Streak> {
        Some(Streak {
            failures,
            last_at: NOW - ago,
        })
    }

    #[test]
    fn the_free_failures_cost_nothing() {
        let t = LoginThrottle::default();
        let s = Streaks {
            account: streak(4, Duration::ZERO),
            address: streak(19, Duration::ZERO),
        };
        assert_eq!(t.check(&s, NOW), Ok(()));
    }

    #[test]
    fn the_delay_starts_at_the_limit_and_doubles_up_to_the_maximum() {
        let t = LoginThrottle::default();
        assert_eq!(t.delay(4, 5), Duration::ZERO);
        assert_eq!(t.delay(5, 5), Duration::seconds(30));
        assert_eq!(t.delay(6, 5), Duration::seconds(60));
        assert_eq!(t.delay(9, 5), Duration::seconds(480));
        assert_eq!(t.delay(10, 5), Duration::minutes(15));
        assert_eq!(t.delay(1_000, 5), Duration::minutes(15), "no overflow");
    }

    #[test]
    fn the_wait_runs_from_the_last_counted_attempt() {
        let t = LoginThrottle::default();
        let s = Streaks {
            account: streak(5, Duration::seconds(10)),
            ..Default::default()
        };
        assert_eq!(
            t.check(&s, NOW),
            Err(Throttled {
                retry_after_s: 20,
                by: ThrottledBy::Account
            })
        );
        let later = Streaks {
            account: streak(5, Duration::seconds(30)),
            ..Default::default()
        };
        assert_eq!(t.check(&later, NOW), Ok(()));
    }

    #[test]
    fn the_longer_wait_wins() {
        let t = LoginThrottle::default();
        let s = Streaks {
            account: streak(5, Duration::ZERO),
            address: streak(22, Duration::ZERO),
        };
        assert_eq!(
            t.check(&s, NOW),
            Err(Throttled {
                retry_after_s: 120,
                by: ThrottledBy::Address
            })
        );
    }

    #[test]
    fn a_quiet_streak_is_forgotten() {
        let t = LoginThrottle::default();
        let old = streak(40, Duration::minutes(15));
        assert_eq!(t.current(old, NOW), None);
        assert_eq!(t.reserve(old, NOW).failures, 1);
        let recent = streak(40, Duration::minutes(14));
        assert_eq!(t.reserve(recent, NOW).failures, 41);
        assert_eq!(
            t.reserve(None, NOW),
            Streak {
                failures: 1,
                last_at: NOW
            }
        );
    }

    #[test]
    fn reserving_in_a_burst_lets_exactly_the_free_attempts_through() {
        let t = LoginThrottle::default();
        let mut account = None;
        let mut passed = 0;
        for _ in 0..40 {
            let s = Streaks {
                account,
                address: None,
            };
            if t.check(&s, NOW).is_ok() {
                account = Some(t.reserve(account, NOW));
                passed += 1;
            }
        }
        assert_eq!(passed, t.per_account);
    }

    #[test]
    fn addresses_are_keyed_by_ipv4_or_ipv6_slash_64() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(address_key(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(address_key(ip("::ffff:203.0.113.7")), "203.0.113.7");
        assert_eq!(
            address_key(ip("2001:db8:ac:1:aaaa:bbbb:cccc:dddd")),
            "2001:db8:ac:1::/64"
        );
        assert_eq!(
            address_key(ip("2001:db8:ac:1::1")),
            address_key(ip("2001:db8:ac:1:ffff::2"))
        );
        assert_ne!(
            address_key(ip("2001:db8:ac:1::1")),
            address_key(ip("2001:db8:ac:2::1"))
        );
    }
}
