//! The response deadline (policy §5): 48 hours from notification, unless staff set a shorter one
//! with a reason (law, upstream mandate, imminent harm); staff may extend or shorten it later,
//! always with a reason. `now` is always a parameter.

use super::reason::{ReasonError, WrittenReason};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The policy's response window.
pub const RESPONSE_WINDOW: Duration = Duration::hours(48);

/// Why a deadline was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    /// A non-standard deadline needs a written reason.
    #[error("{}", .0.asking("Give a reason for the deadline"))]
    Reason(ReasonError),
    /// At notification, a deadline may only be shorter than 48 hours, never longer.
    #[error("At notification the deadline can only be shorter than 48 hours; extend it later with a reason.")]
    LongerThanPolicy,
    /// The deadline must lie in the future.
    #[error("The deadline must be in the future.")]
    NotInFuture,
    /// An extension must move the deadline later.
    #[error("An extension must move the deadline later than it is now.")]
    NotLater,
    /// Shortening must move the deadline earlier.
    #[error("Shortening must move the deadline earlier than it is now.")]
    NotEarlier,
}

fn check_reason(reason: &str) -> Result<(), DeadlineError> {
    WrittenReason::parse(reason)
        .map(|_| ())
        .map_err(DeadlineError::Reason)
}

/// The deadline of a notice sent at `notified_at`: 48 hours later, or an earlier `shorter` one
/// (in the future, with a reason).
pub fn initial_deadline(
    notified_at: OffsetDateTime,
    shorter: Option<(OffsetDateTime, &str)>,
) -> Result<OffsetDateTime, DeadlineError> {
    let standard = notified_at + RESPONSE_WINDOW;
    match shorter {
        None => Ok(standard),
        Some((at, reason)) => {
            check_reason(reason)?;
            if at <= notified_at {
                Err(DeadlineError::NotInFuture)
            } else if at > standard {
                Err(DeadlineError::LongerThanPolicy)
            } else {
                Ok(at)
            }
        }
    }
}

/// Checks an extension of `current` to `new`, with a reason.
pub fn extend(
    current: OffsetDateTime,
    new: OffsetDateTime,
    now: OffsetDateTime,
    reason: &str,
) -> Result<OffsetDateTime, DeadlineError> {
    check_reason(reason)?;
    if new <= now {
        Err(DeadlineError::NotInFuture)
    } else if new <= current {
        Err(DeadlineError::NotLater)
    } else {
        Ok(new)
    }
}

/// Checks shortening `current` to `new`, with a reason; the new deadline must still be ahead.
pub fn shorten(
    current: OffsetDateTime,
    new: OffsetDateTime,
    now: OffsetDateTime,
    reason: &str,
) -> Result<OffsetDateTime, DeadlineError> {
    check_reason(reason)?;
    if new <= now {
        Err(DeadlineError::NotInFuture)
    } else if new >= current {
        Err(DeadlineError::NotEarlier)
    } else {
        Ok(new)
    }
}

/// Whether the deadline has passed at `now` (the deadline instant itself counts as passed).
pub fn is_past(deadline: OffsetDateTime, now: OffsetDateTime) -> bool {
    now >= deadline
}

/// Time left before a deadline, or how long ago it passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeLeft {
    /// Still open: this many seconds left.
    Remaining(i64),
    /// Passed this many seconds ago (0 at the deadline itself).
    Overdue(i64),
}

impl TimeLeft {
    /// The time left at `now`.
    pub fn at(deadline: OffsetDateTime, now: OffsetDateTime) -> TimeLeft {
        let seconds = (deadline - now).whole_seconds();
        if seconds > 0 {
            TimeLeft::Remaining(seconds)
        } else {
            TimeLeft::Overdue(-seconds)
        }
    }

    /// Whether less than `within` is left (for highlighting urgent cases).
    pub fn is_urgent(self, within: Duration) -> bool {
        match self {
            TimeLeft::Remaining(s) => s < within.whole_seconds(),
            TimeLeft::Overdue(_) => true,
        }
    }

    /// Words for people: hours and minutes while time remains ("47 h 59 min left"), minutes and
    /// seconds in the last hour ("12 min 5 s left"); the two largest units once overdue
    /// ("overdue by 2 h 5 min", "overdue by 3 d 4 h").
    pub fn describe(self) -> String {
        match self {
            TimeLeft::Remaining(s) => format!("{} left", remaining(s)),
            TimeLeft::Overdue(s) => format!("overdue by {}", span(s)),
        }
    }
}

/// Time remaining, precise enough to act on: hours and minutes, then minutes and seconds.
fn remaining(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3_600, seconds % 3_600 / 60, seconds % 60);
    if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min {s} s")
    } else {
        format!("{s} s")
    }
}

/// A span of seconds in the two largest units that matter.
fn span(seconds: i64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
        seconds % 60,
    );
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min")
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-24 09:00 UTC);
    const WHY: &str = "upstream provider mandate";

    #[test]
    fn the_standard_deadline_is_48_hours() {
        assert_eq!(
            initial_deadline(T0, None),
            Ok(datetime!(2026-11-26 09:00 UTC))
        );
    }

    #[test]
    fn a_shorter_deadline_needs_a_reason_and_must_be_shorter() {
        let six_hours = T0 + Duration::hours(6);
        assert_eq!(initial_deadline(T0, Some((six_hours, WHY))), Ok(six_hours));
        assert_eq!(
            initial_deadline(T0, Some((six_hours, "  urgent  "))),
            Err(DeadlineError::Reason(ReasonError::TooShort))
        );
        assert_eq!(
            initial_deadline(T0, Some((T0 + Duration::hours(48), WHY))),
            Ok(T0 + Duration::hours(48))
        );
        assert_eq!(
            initial_deadline(
                T0,
                Some((T0 + Duration::hours(48) + Duration::seconds(1), WHY))
            ),
            Err(DeadlineError::LongerThanPolicy)
        );
        assert_eq!(
            initial_deadline(T0, Some((T0, WHY))),
            Err(DeadlineError::NotInFuture)
        );
    }

    #[test]
    fn overdue_at_exactly_48_hours_not_a_second_before() {
        let deadline = initial_deadline(T0, None).unwrap();
        assert!(!is_past(
            deadline,
            T0 + Duration::hours(47) + Duration::minutes(59) + Duration::seconds(59)
        ));
        assert!(is_past(deadline, T0 + Duration::hours(48)));
        assert_eq!(
            TimeLeft::at(deadline, T0 + Duration::hours(48)),
            TimeLeft::Overdue(0)
        );
        assert_eq!(
            TimeLeft::at(deadline, T0 + Duration::minutes(47 * 60 + 59)),
            TimeLeft::Remaining(60)
        );
    }

    #[test]
    fn extensions_move_later_and_shortening_earlier_but_never_into_the_past() {
        let current = T0 + RESPONSE_WINDOW;
        let now = T0 + Duration::hours(1);
        assert_eq!(
            extend(current, current + Duration::hours(24), now, WHY),
            Ok(current + Duration::hours(24))
        );
        assert_eq!(
            extend(current, current, now, WHY),
            Err(DeadlineError::NotLater)
        );
        assert_eq!(
            extend(current, current + Duration::hours(1), now, "short"),
            Err(DeadlineError::Reason(ReasonError::TooShort))
        );
        assert_eq!(
            shorten(current, now + Duration::hours(2), now, WHY),
            Ok(now + Duration::hours(2))
        );
        assert_eq!(
            shorten(current, now, now, WHY),
            Err(DeadlineError::NotInFuture)
        );
        assert_eq!(
            shorten(current, current + Duration::hours(1), now, WHY),
            Err(DeadlineError::NotEarlier)
        );
        // An overdue case may get a new deadline in the future.
        let late = current + Duration::hours(5);
        assert_eq!(
            extend(current, late + Duration::hours(24), late, WHY),
            Ok(late + Duration::hours(24))
        );
        assert_eq!(
            extend(current, late - Duration::hours(1), late, WHY),
            Err(DeadlineError::NotInFuture)
        );
    }

    #[test]
    fn time_left_in_words() {
        let d = T0 + RESPONSE_WINDOW;
        assert_eq!(TimeLeft::at(d, T0).describe(), "48 h 0 min left");
        assert_eq!(
            TimeLeft::at(d, T0 + Duration::seconds(1)).describe(),
            "47 h 59 min left"
        );
        assert_eq!(
            TimeLeft::at(d, d - Duration::seconds(12 * 60 + 5)).describe(),
            "12 min 5 s left"
        );
        assert_eq!(
            TimeLeft::at(d, d - Duration::hours(75)).describe(),
            "75 h 0 min left"
        );
        assert_eq!(
            TimeLeft::at(d, d - Duration::minutes(90)).describe(),
            "1 h 30 min left"
        );
        assert_eq!(
            TimeLeft::at(d, d - Duration::seconds(59)).describe(),
            "59 s left"
        );
        assert_eq!(
            TimeLeft::at(d, d + Duration::minutes(125)).describe(),
            "overdue by 2 h 5 min"
        );
        assert_eq!(
            TimeLeft::at(d, d + Duration::hours(76)).describe(),
            "overdue by 3 d 4 h"
        );
    }

    #[test]
    fn urgency() {
        let d = T0 + RESPONSE_WINDOW;
        assert!(!TimeLeft::at(d, T0).is_urgent(Duration::hours(12)));
        assert!(TimeLeft::at(d, d - Duration::hours(11)).is_urgent(Duration::hours(12)));
        assert!(TimeLeft::at(d, d + Duration::hours(1)).is_urgent(Duration::hours(12)));
    }
}
