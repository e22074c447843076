//! `AppError`: the one error type of every server function, on both server and browser.
//!
//! Variants name what the user faces; [`AppError::user_message`] is the only text people see.
//! Internal causes (database, I/O, hashing) are logged on the server with a reference and never
//! sent to the browser: see `server::errors` for the conversions.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error a person can understand, with the HTTP status it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No one is signed in, or the session has ended.
    #[error("Please sign in to continue.")]
    NotSignedIn,
    /// Signed in, but the role does not allow this.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// The account must set up two-factor sign-in before anything else (staff and admins, or an
    /// organisation that requires it of its members).
    #[error("Set up two-factor sign-in first: your account needs it before anything else.")]
    SecondFactorRequired,
    /// No such record, or one the caller may not see (never told apart).
    #[error("We could not find that.")]
    NotFound,
    /// The e-mail and password did not match an account; deliberately vague.
    #[error("That e-mail and password do not match an account. Check them and try again.")]
    BadCredentials,
    /// A form field is invalid; `field` is the form field's name.
    #[error("{message}")]
    Invalid {
        /// The field's `name` in the form.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Several form fields are invalid; each message belongs next to its field.
    #[error("Some answers need attention: see the messages next to the fields.")]
    InvalidFields(Vec<crate::domain::form::FieldError>),
    /// The request conflicts with the record's current state.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again after the given number of seconds.
    #[error("Too many attempts. Try again in {}.", crate::domain::time_format::wait_in_words(*retry_after_s))]
    RateLimited {
        /// Seconds until the next attempt is allowed.
        retry_after_s: u64,
    },
    /// A dependency (the database) is not available right now.
    #[error("The portal is temporarily unavailable. Please try again shortly.")]
    Unavailable,
    /// Something failed on the server; the reference finds the cause in the server's log.
    #[error("Something went wrong on our side (reference {reference}). Please try again.")]
    Internal {
        /// Short id logged with the cause.
        reference: String,
    },
    /// The request could not be sent, read or answered (network, malformed form).
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl AppError {
    /// An invalid-field error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The HTTP status this error stands for.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::SecondFactorRequired => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Invalid { .. } | AppError::InvalidFields(_) => 422,
            AppError::RateLimited { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal { .. } => 500,
            AppError::Transport(_) => 400,
        }
    }

    /// The message shown to people.
    pub fn user_message(&self) -> String {
        self.to_string()
    }

    /// The message for form field `name`, if this error is about it.
    pub fn field_message(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid { field, message } if field == name => Some(message.clone()),
            AppError::InvalidFields(errors) => {
                let mine: Vec<&str> = errors
                    .iter()
                    .filter(|e| e.field == name)
                    .map(|e| e.message.as_str())
                    .collect();
                (!mine.is_empty()).then(|| mine.join(" "))
            }
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => {
                AppError::Transport("the portal could not be reached; check your connection".into())
            }
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => {
                AppError::Transport("the form was incomplete or malformed".into())
            }
            _ => AppError::Transport("unexpected server response".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(AppError::NotSignedIn.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::invalid("email", "x").status(), 422);
        assert_eq!(AppError::RateLimited { retry_after_s: 1 }.status(), 429);
    }

    #[test]
    fn rate_limit_messages_say_the_wait_in_words() {
        assert_eq!(
            AppError::RateLimited { retry_after_s: 61 }.user_message(),
            "Too many attempts. Try again in 2 minutes."
        );
        assert_eq!(
            AppError::RateLimited { retry_after_s: 30 }.user_message(),
            "Too many attempts. Try again in 30 seconds."
        );
        assert_eq!(
            AppError::RateLimited { retry_after_s: 60 }.user_message(),
            "Too many attempts. Try again in 1 minute."
        );
    }

    #[test]
    fn field_messages_belong_to_their_field() {
        let e = AppError::invalid("email", "Enter an e-mail address.");
        assert_eq!(
            e.field_message("email").as_deref(),
            Some("Enter an e-mail address.")
        );
        assert_eq!(e.field_message("password"), None);
        let several = AppError::InvalidFields(vec![
            crate::domain::form::FieldError {
                field: "helo_name".into(),
                message: "Give the HELO name.".into(),
            },
            crate::domain::form::FieldError {
                field: "consent".into(),
                message: "Describe how recipients consented.".into(),
            },
        ]);
        assert_eq!(several.status(), 422);
        assert_eq!(
            several.field_message("consent").as_deref(),
            Some("Describe how recipients consented.")
        );
        assert_eq!(several.field_message("ip"), None);
        assert_eq!(
            several.user_message(),
            "Some answers need attention: see the messages next to the fields."
        );
    }
}
