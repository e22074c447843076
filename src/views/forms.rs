//! A plain form post's outcome, kept for the page the browser loads next (see
//! `server::inbound::form_posts` and `ui::components::form_action`).

use serde::{Deserialize, Serialize};

/// The hidden field naming one of several forms that call the same server function; the
/// server takes it out before the function reads the form.
pub const FORM_FIELD: &str = "__form";

/// What a plain form post left for the page the browser goes back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostOutcome {
    /// The server function's path (`/api/…`).
    pub path: String,
    /// The form's [`FORM_FIELD`], when it has one.
    pub form: Option<String>,
    /// Whether the function succeeded.
    pub ok: bool,
    /// Its answer as JSON: the output when `ok`, else the error.
    pub answer: String,
    /// The fields as posted, in order, without secrets (passwords, codes, tokens).
    pub fields: Vec<(String, String)>,
}
