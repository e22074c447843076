//! The written reason: every staff decision the customer reads, every deadline moved, every
//! measure taken or ended and every change to billing or the inventory is explained in words,
//! and the words are kept in the case's trail. One rule for all of them, here.

use serde::{Deserialize, Serialize};

/// The fewest characters a reason may have (after trimming).
pub const MIN_CHARS: usize = 10;

/// The most characters a reason may have.
pub const MAX_CHARS: usize = 2_000;

/// A reason that passed the rule: trimmed, between [`MIN_CHARS`] and [`MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenReason(String);

/// Why a reason was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    /// Missing or shorter than [`MIN_CHARS`].
    #[error("Write a reason (at least {MIN_CHARS} characters).")]
    TooShort,
    /// Longer than [`MAX_CHARS`].
    #[error("Keep the reason under 2,000 characters.")]
    TooLong,
}

impl ReasonError {
    /// The message in a form's own words: `ask` says what to write ("Write why the measure
    /// ends"), and the rule follows it.
    pub fn asking(self, ask: &str) -> String {
        match self {
            ReasonError::TooShort => format!("{ask} (at least {MIN_CHARS} characters)."),
            ReasonError::TooLong => self.to_string(),
        }
    }
}

impl WrittenReason {
    /// Checks `raw` against the rule; surrounding white space does not count.
    pub fn parse(raw: &str) -> Result<Self, ReasonError> {
        let text = raw.trim();
        let n = text.chars().count();
        if n < MIN_CHARS {
            Err(ReasonError::TooShort)
        } else if n > MAX_CHARS {
            Err(ReasonError::TooLong)
        } else {
            Ok(WrittenReason(text.to_owned()))
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_needs_ten_characters_without_its_surrounding_spaces() {
        assert_eq!(
            WrittenReason::parse("   too short  "),
            Err(ReasonError::TooShort)
        );
        assert_eq!(WrittenReason::parse(""), Err(ReasonError::TooShort));
        let ok = WrittenReason::parse("  Spam confirmed.  ").unwrap();
        assert_eq!(ok.as_str(), "Spam confirmed.");
    }

    #[test]
    fn characters_count_not_bytes() {
        // Nine characters, eighteen bytes: too short.
        assert_eq!(
            WrittenReason::parse("ééééééééé"),
            Err(ReasonError::TooShort)
        );
        assert!(WrittenReason::parse("éééééééééé").is_ok());
    }

    #[test]
    fn a_reason_longer_than_the_limit_is_refused_not_cut() {
        let long = "x".repeat(MAX_CHARS + 1);
        assert_eq!(WrittenReason::parse(&long), Err(ReasonError::TooLong));
        assert!(WrittenReason::parse(&long[1..]).is_ok());
    }

    #[test]
    fn a_form_asks_in_its_own_words() {
        assert_eq!(
            ReasonError::TooShort.asking("Write why the measure ends"),
            "Write why the measure ends (at least 10 characters)."
        );
        assert_eq!(
            ReasonError::TooLong.asking("Write why"),
            "Keep the reason under 2,000 characters."
        );
    }
}
