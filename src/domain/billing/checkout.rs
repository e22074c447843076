//! Card payments through Stripe Checkout: how long a payment page lives, when a click shows the
//! page made a moment ago instead of making a new one, and how many new pages an invoice gets in
//! an hour. Every new page is a live session at Stripe: a burst of clicks (or a script) must not
//! make one each.

use time::{Duration, OffsetDateTime};

/// How long a payment page made for an invoice can be used (sent to Stripe as its `expires_at`;
/// Stripe accepts 30 minutes to 24 hours).
pub const CHECKOUT_LIFETIME: Duration = Duration::hours(1);

/// How old a page may be and still be shown again for another click (a margin before it
/// expires, for the customer to pay on it).
pub const CHECKOUT_REUSE: Duration = Duration::minutes(45);

/// New payment pages one invoice gets per hour.
pub const CHECKOUTS_PER_HOUR: usize = 5;

/// A payment page made for the invoice in the last hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentCheckout {
    /// The attempt's id.
    pub id: i64,
    /// The amount it asks, in minor units.
    pub amount_minor: i64,
    /// Whether Stripe made its page (an attempt whose call failed has none).
    pub has_page: bool,
    /// When it was made.
    pub created_at: OffsetDateTime,
}

/// What a click on "Pay by card" gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutDecision {
    /// The page of this attempt: it asks the balance and can still be used.
    Reuse(i64),
    /// A new page.
    New,
    /// Too many new pages this hour: wait this many seconds.
    Wait(u64),
}

/// The decision for a click at `now` on an invoice whose balance is `balance_minor`, given its
/// attempts of the last hour (`recent`, any order).
pub fn decide(
    recent: &[RecentCheckout],
    balance_minor: i64,
    now: OffsetDateTime,
) -> CheckoutDecision {
    let recent: Vec<&RecentCheckout> = recent
        .iter()
        .filter(|c| now - c.created_at < Duration::hours(1))
        .collect();
    if let Some(page) = recent
        .iter()
        .filter(|c| {
            c.has_page && c.amount_minor == balance_minor && now - c.created_at < CHECKOUT_REUSE
        })
        .max_by_key(|c| (c.created_at, c.id))
    {
        return CheckoutDecision::Reuse(page.id);
    }
    if recent.len() >= CHECKOUTS_PER_HOUR {
        let oldest = recent.iter().map(|c| c.created_at).min().unwrap_or(now);
        let wait = (oldest + Duration::hours(1) - now).whole_seconds().max(1) as u64;
        return CheckoutDecision::Wait(wait);
    }
    CheckoutDecision::New
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-07 12:00 UTC);

    fn made(id: i64, amount: i64, minutes_ago: i64) -> RecentCheckout {
        RecentCheckout {
            id,
            amount_minor: amount,
            has_page: true,
            created_at: NOW - Duration::minutes(minutes_ago),
        }
    }

    #[test]
    fn a_page_for_the_balance_is_shown_again_while_it_lasts() {
        assert_eq!(decide(&[], 75_000, NOW), CheckoutDecision::New);
        assert_eq!(
            decide(&[made(1, 75_000, 10), made(2, 75_000, 5)], 75_000, NOW),
            CheckoutDecision::Reuse(2),
            "the newest"
        );
        // Another amount (a part payment came in), or too old to pay on: a new page.
        assert_eq!(
            decide(&[made(1, 75_000, 5)], 50_000, NOW),
            CheckoutDecision::New
        );
        assert_eq!(
            decide(&[made(1, 75_000, 45)], 75_000, NOW),
            CheckoutDecision::New
        );
        let failed = RecentCheckout {
            has_page: false,
            ..made(1, 75_000, 1)
        };
        assert_eq!(decide(&[failed], 75_000, NOW), CheckoutDecision::New);
    }

    #[test]
    fn an_invoice_gets_a_few_new_pages_an_hour() {
        let recent: Vec<RecentCheckout> = (0..5).map(|i| made(i, 1_000 + i, 40 - i)).collect();
        assert_eq!(
            decide(&recent, 9_999, NOW),
            CheckoutDecision::Wait(20 * 60),
            "until the oldest of the hour is an hour old"
        );
        // A page for the balance is still shown, however many were made.
        assert_eq!(decide(&recent, 1_004, NOW), CheckoutDecision::Reuse(4));
        // Pages older than an hour no longer count.
        let old: Vec<RecentCheckout> = (0..5).map(|i| made(i, 1_000 + i, 61 + i)).collect();
        assert_eq!(decide(&old, 9_999, NOW), CheckoutDecision::New);
    }
}
