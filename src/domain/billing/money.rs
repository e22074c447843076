//! Money as integer minor units (cents) with a currency: no floating point anywhere, in storage,
//! in JSON or in the browser. [`Money::parse`] reads what people type; [`Money`]'s `Display` is
//! the one place amounts are formatted for people (`USD 1,200.00`).

use crate::domain::names::named_enum;
use serde::{Deserialize, Serialize};
use std::fmt;

named_enum!(
    /// A currency the provider bills in. The policy's amounts (§6) are in US dollars.
    Currency, "currency" {
        /// US dollar, two decimals.
        Usd = "USD", "US dollar";
    }
);

impl Currency {
    /// Minor units in one major unit (cents in a dollar).
    pub fn minor_per_major(self) -> i64 {
        match self {
            Currency::Usd => 100,
        }
    }

    /// Digits after the decimal point.
    pub fn decimals(self) -> usize {
        match self {
            Currency::Usd => 2,
        }
    }
}

/// The largest amount one line, payment or invoice may carry: USD 10,000,000.00. Far above any
/// real fee, far below where `i64` arithmetic on sums of lines could overflow.
pub const MAX_MINOR: i64 = 1_000_000_000;

/// An amount of money: minor units (may be negative for a balance) and a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units (cents).
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

/// Why a typed amount was refused; the message says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Nothing was typed.
    #[error("Enter an amount, for example 500.00.")]
    Empty,
    /// Not a number in the expected shape.
    #[error("Enter the amount as a number with at most two decimals, for example 1,200.00.")]
    Malformed,
    /// Below zero.
    #[error("The amount cannot be negative.")]
    Negative,
    /// Zero where something must be charged or paid.
    #[error("The amount must be more than zero.")]
    Zero,
    /// Above [`MAX_MINOR`].
    #[error("The amount is too large (at most USD 10,000,000.00).")]
    TooLarge,
    /// Another currency than the invoice's.
    #[error("Amounts must be in {0}.")]
    WrongCurrency(&'static str),
}

impl Money {
    /// An amount in US cents.
    pub const fn usd(minor: i64) -> Money {
        Money {
            minor,
            currency: Currency::Usd,
        }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Whether it is zero.
    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    /// Whether it is above zero.
    pub fn is_positive(self) -> bool {
        self.minor > 0
    }

    /// The sum; `None` on a currency mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency).then_some(())?;
        Some(Money {
            minor: self.minor.checked_add(other.minor)?,
            currency: self.currency,
        })
    }

    /// The difference; `None` on a currency mismatch or overflow.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        (self.currency == other.currency).then_some(())?;
        Some(Money {
            minor: self.minor.checked_sub(other.minor)?,
            currency: self.currency,
        })
    }

    /// The larger of two amounts of the same currency.
    pub fn max(self, other: Money) -> Money {
        debug_assert_eq!(self.currency, other.currency);
        if other.minor > self.minor {
            other
        } else {
            self
        }
    }

    /// The sum of `amounts` in `currency`; `None` on a mismatch or overflow.
    pub fn sum(currency: Currency, amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// Reads an amount as people type it: `1200`, `1,200.00`, `1200.5`, `USD 1,200.00`, `$1,200`.
    /// Refuses negatives, more decimals than the currency has, and more than [`MAX_MINOR`].
    pub fn parse(raw: &str, currency: Currency) -> Result<Money, AmountError> {
        let mut text = raw.trim();
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        for prefix in [currency.as_str(), "$"] {
            if let Some(rest) = text.strip_prefix(prefix) {
                text = rest.trim_start();
            }
        }
        if text.starts_with('-') || text.starts_with('−') {
            return Err(AmountError::Negative);
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let whole_digits = whole_part(whole).ok_or(AmountError::Malformed)?;
        let fraction_digits = match fraction {
            None => "",
            Some(f)
                if !f.is_empty()
                    && f.len() <= currency.decimals()
                    && f.bytes().all(|b| b.is_ascii_digit()) =>
            {
                f
            }
            Some(_) => return Err(AmountError::Malformed),
        };
        if whole_digits.len() > 12 {
            return Err(AmountError::TooLarge);
        }
        let major: i64 = whole_digits.parse().map_err(|_| AmountError::Malformed)?;
        let mut minor_part: i64 = 0;
        if !fraction_digits.is_empty() {
            let padded = format!("{fraction_digits:0<width$}", width = currency.decimals());
            minor_part = padded.parse().map_err(|_| AmountError::Malformed)?;
        }
        let minor = major
            .checked_mul(currency.minor_per_major())
            .and_then(|m| m.checked_add(minor_part))
            .ok_or(AmountError::TooLarge)?;
        if minor > MAX_MINOR {
            return Err(AmountError::TooLarge);
        }
        Ok(Money { minor, currency })
    }

    /// Like [`Money::parse`], and more than zero.
    pub fn parse_positive(raw: &str, currency: Currency) -> Result<Money, AmountError> {
        let m = Money::parse(raw, currency)?;
        if m.is_zero() {
            return Err(AmountError::Zero);
        }
        Ok(m)
    }

    /// The amount without currency, as typed into a form: `1200.00`.
    pub fn input_value(self) -> String {
        let per = self.currency.minor_per_major();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / per as u64,
            abs % per as u64,
            width = self.currency.decimals()
        )
    }
}

/// The digits of a whole part typed with or without thousands separators (`1,200` or `1200`).
fn whole_part(whole: &str) -> Option<String> {
    if whole.is_empty() {
        return Some("0".into());
    }
    if !whole.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return None;
    }
    if whole.contains(',') {
        let mut groups = whole.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 {
            return None;
        }
        if groups.clone().any(|g| g.len() != 3) {
            return None;
        }
    }
    Some(whole.replace(',', ""))
}

/// A whole number with thousands separators: `1,200`, `5,120,000`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

impl fmt::Display for Money {
    /// `USD 1,200.00`, `-USD 50.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = self.currency.minor_per_major() as u64;
        let abs = self.minor.unsigned_abs();
        let grouped = group_thousands(abs / per);
        let sign = if self.minor < 0 { "-" } else { "" };
        write!(
            f,
            "{sign}{} {grouped}.{:0width$}",
            self.currency.as_str(),
            abs % per,
            width = self.currency.decimals()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(raw: &str) -> Result<Money, AmountError> {
        Money::parse(raw, Currency::Usd)
    }

    #[test]
    fn amounts_format_with_thousands_and_two_decimals() {
        assert_eq!(Money::usd(0).to_string(), "USD 0.00");
        assert_eq!(Money::usd(5).to_string(), "USD 0.05");
        assert_eq!(Money::usd(50_000).to_string(), "USD 500.00");
        assert_eq!(Money::usd(120_000).to_string(), "USD 1,200.00");
        assert_eq!(Money::usd(100_000_000).to_string(), "USD 1,000,000.00");
        assert_eq!(Money::usd(-5_050).to_string(), "-USD 50.50");
        assert_eq!(Money::usd(123_456).input_value(), "1234.56");
        assert_eq!(Money::usd(-7).input_value(), "-0.07");
    }

    #[test]
    fn typed_amounts_are_read_exactly() {
        assert_eq!(usd("1200"), Ok(Money::usd(120_000)));
        assert_eq!(usd("1,200.00"), Ok(Money::usd(120_000)));
        assert_eq!(usd(" USD 1,200.5 "), Ok(Money::usd(120_050)));
        assert_eq!(usd("$0.07"), Ok(Money::usd(7)));
        assert_eq!(usd(".5"), Ok(Money::usd(50)));
        assert_eq!(usd("10000000.00"), Ok(Money::usd(MAX_MINOR)));
        // 0.1 + 0.2 is exactly 0.3 here.
        let sum = usd("0.10").unwrap().checked_add(usd("0.20").unwrap());
        assert_eq!(sum, Some(usd("0.30").unwrap()));
    }

    #[test]
    fn bad_amounts_say_what_to_type() {
        assert_eq!(usd(""), Err(AmountError::Empty));
        assert_eq!(usd("-5"), Err(AmountError::Negative));
        assert_eq!(usd("1.234"), Err(AmountError::Malformed));
        assert_eq!(usd("1.2.3"), Err(AmountError::Malformed));
        assert_eq!(usd("12,00"), Err(AmountError::Malformed));
        assert_eq!(usd("1e3"), Err(AmountError::Malformed));
        assert_eq!(usd("1."), Err(AmountError::Malformed));
        assert_eq!(usd("10000000.01"), Err(AmountError::TooLarge));
        assert_eq!(usd("99999999999999999999"), Err(AmountError::TooLarge));
        assert_eq!(
            Money::parse_positive("0.00", Currency::Usd),
            Err(AmountError::Zero)
        );
    }

    #[test]
    fn sums_refuse_mixed_or_overflowing_amounts() {
        assert_eq!(
            Money::sum(Currency::Usd, [Money::usd(1), Money::usd(2)]),
            Some(Money::usd(3))
        );
        assert_eq!(Money::usd(i64::MAX).checked_add(Money::usd(1)), None);
        assert_eq!(
            Money::usd(5).checked_sub(Money::usd(7)),
            Some(Money::usd(-2))
        );
    }
}
