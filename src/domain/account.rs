//! Account rules: what a valid e-mail address, password and organisation name look like.
//! Values are checked once, when built, and are valid from then on.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an account field was refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountFieldError {
    /// The e-mail address is not of the form `name@domain.tld`.
    #[error("Enter an e-mail address such as name@example.com.")]
    BadEmail,
    /// The password is shorter than [`Password::MIN_CHARS`].
    #[error("Use a password of at least {min} characters.", min = Password::MIN_CHARS)]
    PasswordTooShort,
    /// The password is longer than [`Password::MAX_CHARS`].
    #[error("Use a password of at most {max} characters.", max = Password::MAX_CHARS)]
    PasswordTooLong,
    /// The organisation name is empty or too long.
    #[error("Enter an organisation name of 1 to {max} characters.", max = OrgName::MAX_CHARS)]
    BadOrgName,
}

/// A normalised e-mail address: trimmed and lower-cased, so that one mailbox is one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// The longest address accepted (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Checks and normalises an address typed by a person.
    pub fn parse(raw: &str) -> Result<Self, AccountFieldError> {
        let email = raw.trim().to_lowercase();
        let (local, domain) = email.split_once('@').ok_or(AccountFieldError::BadEmail)?;
        let well_formed = !local.is_empty()
            && email.len() <= Self::MAX_LEN
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if well_formed {
            Ok(Email(email))
        } else {
            Err(AccountFieldError::BadEmail)
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that meets the policy. Never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The shortest password accepted (OWASP: at least 8; we ask for more, with no other rules).
    pub const MIN_CHARS: usize = 12;
    /// The longest password accepted, which bounds the hashing work one request can cause.
    pub const MAX_CHARS: usize = 256;

    /// Checks a new password's length; any characters are allowed.
    pub fn parse(raw: &str) -> Result<Self, AccountFieldError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            Err(AccountFieldError::PasswordTooShort)
        } else if chars > Self::MAX_CHARS {
            Err(AccountFieldError::PasswordTooLong)
        } else {
            Ok(Password(raw.to_owned()))
        }
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// The name of a customer organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgName(String);

impl OrgName {
    /// The longest name accepted.
    pub const MAX_CHARS: usize = 120;

    /// Trims and checks a name.
    pub fn parse(raw: &str) -> Result<Self, AccountFieldError> {
        let name = raw.trim();
        if name.is_empty()
            || name.chars().count() > Self::MAX_CHARS
            || name.chars().any(char::is_control)
        {
            Err(AccountFieldError::BadOrgName)
        } else {
            Ok(OrgName(name.to_owned()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Alice@ACME.test ").unwrap().as_str(),
            "alice@acme.test"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "alice",
            "@acme.test",
            "alice@",
            "alice@acme",
            "a@b@c.test",
            "al ice@acme.test",
            "alice@.acme.test",
            "alice@acme.test.",
            "alice@acme..test",
        ] {
            assert_eq!(
                Email::parse(bad),
                Err(AccountFieldError::BadEmail),
                "{bad:?}"
            );
        }
        let long = format!("{}@acme.test", "a".repeat(Email::MAX_LEN));
        assert_eq!(Email::parse(&long), Err(AccountFieldError::BadEmail));
    }

    #[test]
    fn password_length_edges() {
        assert_eq!(
            Password::parse(&"x".repeat(11)),
            Err(AccountFieldError::PasswordTooShort)
        );
        assert!(Password::parse(&"x".repeat(12)).is_ok());
        assert!(Password::parse(&"é".repeat(256)).is_ok());
        assert_eq!(
            Password::parse(&"x".repeat(257)),
            Err(AccountFieldError::PasswordTooLong)
        );
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::parse("demo-password-1").unwrap();
        assert!(!format!("{p:?}").contains("demo"));
    }

    #[test]
    fn organisation_names() {
        assert_eq!(
            OrgName::parse("  Acme Hosting Ltd ").unwrap().as_str(),
            "Acme Hosting Ltd"
        );
        assert_eq!(OrgName::parse("   "), Err(AccountFieldError::BadOrgName));
        assert_eq!(
            OrgName::parse(&"x".repeat(121)),
            Err(AccountFieldError::BadOrgName)
        );
        assert_eq!(
            OrgName::parse("a\u{0}b"),
            Err(AccountFieldError::BadOrgName)
        );
    }
}
